import { shallowRef } from 'vue';

/**
 * Asks the command bar to show a text (the first-run guide's "put it in the command bar" button): a button does what
 * typing does, for desktops where typing into the page fails. The command bar watches this.
 */
export const commandBarRequest = shallowRef<{ text: string } | null>(null);

export function putInCommandBar(text: string): void {
  // A new object each time, so the same text twice still arrives.
  commandBarRequest.value = { text };
}
