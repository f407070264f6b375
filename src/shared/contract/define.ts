import type { z } from 'zod';

/** A request/response method: validated arguments in, validated result out. */
export interface MethodSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly kind: 'method';
  readonly summary: string;
  readonly args: A;
  readonly result: R;
}

/**
 * An event stream with latest-value semantics: a subscriber that cannot keep up
 * receives the newest value and the ones in between are dropped.
 */
export interface StreamSpec<A extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> {
  readonly kind: 'stream';
  readonly summary: string;
  readonly args: A;
  readonly payload: P;
}

export interface ContractShape {
  readonly methods: Readonly<Record<string, MethodSpec>>;
  readonly streams: Readonly<Record<string, StreamSpec>>;
}

export function defineMethod<A extends z.ZodType, R extends z.ZodType>(spec: {
  summary: string;
  args: A;
  result: R;
}): MethodSpec<A, R> {
  return { kind: 'method', ...spec };
}

export function defineStream<A extends z.ZodType, P extends z.ZodType>(spec: {
  summary: string;
  args: A;
  payload: P;
}): StreamSpec<A, P> {
  return { kind: 'stream', ...spec };
}

export type MethodName<C extends ContractShape> = keyof C['methods'] & string;
export type StreamName<C extends ContractShape> = keyof C['streams'] & string;

/** What a caller passes (before schema defaults apply). */
export type MethodArgs<C extends ContractShape, M extends MethodName<C>> = z.input<C['methods'][M]['args']>;
/** What a caller receives. */
export type MethodResult<C extends ContractShape, M extends MethodName<C>> = z.output<C['methods'][M]['result']>;
export type StreamArgs<C extends ContractShape, S extends StreamName<C>> = z.input<C['streams'][S]['args']>;
export type StreamPayload<C extends ContractShape, S extends StreamName<C>> = z.output<C['streams'][S]['payload']>;

/** How main implements a contract: one function per method, one subscriber per stream. */
export interface ContractHandlers<C extends ContractShape> {
  methods: {
    [M in MethodName<C>]: (
      args: z.output<C['methods'][M]['args']>,
    ) => Promise<z.input<C['methods'][M]['result']>> | z.input<C['methods'][M]['result']>;
  };
  streams: {
    [S in StreamName<C>]: (
      args: z.output<C['streams'][S]['args']>,
      emit: (payload: z.input<C['streams'][S]['payload']>) => void,
    ) => () => void;
  };
}
