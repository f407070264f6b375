import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/** Whether the element is at least partly on screen and the page is visible. */
export function useOnScreen(element: Ref<HTMLElement | null>): Ref<boolean> {
  const onScreen = ref(false);
  let intersecting = false;
  let observer: IntersectionObserver | null = null;
  const update = () => (onScreen.value = intersecting && document.visibilityState === 'visible');

  onMounted(() => {
    if (!element.value) return;
    observer = new IntersectionObserver((entries) => {
      intersecting = entries.some((entry) => entry.isIntersecting);
      update();
    });
    observer.observe(element.value);
    document.addEventListener('visibilitychange', update);
  });
  onBeforeUnmount(() => {
    observer?.disconnect();
    document.removeEventListener('visibilitychange', update);
  });
  return onScreen;
}
