/**
 * Node 20 shims @jax-js/jax needs. Its wasm backend is created when the package is first evaluated,
 * so this module must be evaluated before it: import jax-js only through `./jax`, which imports this
 * first. Each shim is installed only when missing, so a newer Node (or a browser) keeps its own.
 */

const scope = globalThis as Record<string, unknown>;

// jax-js reads navigator.userAgent while picking a backend.
if (scope.navigator === undefined) scope.navigator = { userAgent: 'Node.js' };

// jax-js checks `instanceof Float16Array` when it converts typed arrays; Node 20 has no Float16Array,
// and without a placeholder class `np.array(new Float64Array(...))` throws. Nothing constructs it.
if (scope.Float16Array === undefined) scope.Float16Array = class Float16ArrayPlaceholder {};

// Iterator helpers (ES2025): np.einsum maps over `String.prototype.matchAll`'s iterator.
interface IteratorHelpers {
  map?: (fn: (value: unknown, index: number) => unknown) => Iterator<unknown>;
  filter?: (fn: (value: unknown, index: number) => boolean) => Iterator<unknown>;
  toArray?: () => unknown[];
}
const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as IteratorHelpers &
  Iterable<unknown>;
if (iteratorPrototype.map === undefined) {
  iteratorPrototype.map = function* (this: Iterable<unknown>, fn: (value: unknown, index: number) => unknown) {
    let index = 0;
    for (const value of this) yield fn(value, index++);
  };
}
if (iteratorPrototype.filter === undefined) {
  iteratorPrototype.filter = function* (this: Iterable<unknown>, fn: (value: unknown, index: number) => boolean) {
    let index = 0;
    for (const value of this) if (fn(value, index++)) yield value;
  };
}
if (iteratorPrototype.toArray === undefined) {
  iteratorPrototype.toArray = function (this: Iterable<unknown>) {
    return [...this];
  };
}

export {};
