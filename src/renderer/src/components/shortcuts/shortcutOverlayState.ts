import { ref } from 'vue';

/** Whether the shortcut overlay is open: the header's "?" button and the `?` key both toggle it. */
export const shortcutOverlayOpen = ref(false);
