import { z } from 'zod';
import { defineMethod, defineStream, type ContractHandlers } from '../../src/shared/contract/define';
import { CoachError } from '../../src/shared/contract/errors';
import { ContractServer } from '../../src/main/contract/contractServer';
import { Topic } from '../../src/main/system/topic';

/** A small contract exercising every path of the binder: validation, failures, JSON and binary streams. */
export const testContract = {
  methods: {
    'math.add': defineMethod({
      summary: 'adds two numbers',
      args: z.object({ a: z.number(), b: z.number() }).strict(),
      result: z.number(),
    }),
    'bytes.echo': defineMethod({
      summary: 'returns bytes (a binary method result)',
      args: z.object({ n: z.number().int().min(0).max(1_000_000) }).strict(),
      result: z.object({ bytes: z.instanceof(Uint8Array) }),
    }),
    'fail.plain': defineMethod({ summary: 'throws an Error', args: z.object({}).default({}), result: z.null() }),
    'fail.coded': defineMethod({ summary: 'throws a CoachError', args: z.object({}).default({}), result: z.null() }),
    'fail.contract': defineMethod({
      summary: 'returns a wrong type',
      args: z.object({}).default({}),
      result: z.number(),
    }),
  },
  streams: {
    ticks: defineStream({
      summary: 'numbers',
      args: z.object({}).default({}),
      payload: z.object({ n: z.number().int() }),
    }),
    frames: defineStream({
      summary: 'binary frames',
      args: z.object({ camera: z.string() }),
      payload: z.object({ seq: z.number().int(), pixels: z.instanceof(Uint8Array) }),
    }),
  },
} as const;

export type TestContract = typeof testContract;

type Frame = z.input<typeof testContract.streams.frames.payload>;

export interface TestServer {
  server: ContractServer<TestContract>;
  ticks: Topic<{ n: number }>;
  frames: Topic<Frame>;
}

export function createTestServer(): TestServer {
  const ticks = new Topic<{ n: number }>();
  const frames = new Topic<Frame>();
  const handlers: ContractHandlers<TestContract> = {
    methods: {
      'math.add': ({ a, b }) => a + b,
      'bytes.echo': ({ n }) => ({ bytes: new Uint8Array(n).map((_, i) => i & 0xff) }),
      'fail.plain': () => {
        throw new Error('disk on fire');
      },
      'fail.coded': () => {
        throw new CoachError('arm_fault', 'joint 3 over temperature', { joint: 3 });
      },
      'fail.contract': () => 'not a number' as unknown as number,
    },
    streams: {
      ticks: (_args, emit) => ticks.subscribe(emit),
      frames: (_args, emit) => frames.subscribe(emit),
    },
  };
  return { server: new ContractServer(testContract, handlers), ticks, frames };
}
