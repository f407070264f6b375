export * from './random';
export * from './objectCatalog';
export * from './tasks';
export * from './sceneGenerator';
export * from './tabletopWorld';
export * from './scriptedExpert';
