// The one entry to @jax-js/jax for training code: the shims must be evaluated before jax-js is.
import './jaxSetup';

export {
  Array as JaxArray,
  blockUntilReady,
  grad,
  jit,
  lax,
  nn,
  numpy as np,
  random,
  tree,
  valueAndGrad,
  type DType,
  type JsTree,
} from '@jax-js/jax';
