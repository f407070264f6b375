import type { z } from 'zod';
import { CoachError, type CallOutcome, type CoachErrorShape } from '../../shared/contract/errors';
import type { ContractHandlers, ContractShape } from '../../shared/contract/define';

export type SubscribeOutcome = { ok: true; unsubscribe: () => void } | { ok: false; error: CoachErrorShape };

function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(arguments)',
    message: issue.message,
  }));
}

function invalidArguments(what: string, error: z.ZodError): CoachErrorShape {
  const issues = describeIssues(error);
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return {
    code: 'invalid_arguments',
    message: `invalid arguments for ${what}: ${summary}`,
    details: { issues },
  };
}

/**
 * Transport-independent server side of a contract: validates every argument,
 * runs the handler, validates what it returns, and turns every failure into a
 * structured error. Electron IPC and the WebSocket host both sit on top of it.
 */
export class ContractServer<C extends ContractShape> {
  constructor(
    readonly contract: C,
    private readonly handlers: ContractHandlers<C>,
  ) {}

  hasMethod(method: string): boolean {
    return Object.hasOwn(this.contract.methods, method);
  }

  async call(method: string, rawArgs: unknown): Promise<CallOutcome> {
    if (!this.hasMethod(method)) {
      return {
        ok: false,
        error: {
          code: 'unknown_method',
          message: `unknown method "${method}"`,
          details: { known: Object.keys(this.contract.methods) },
        },
      };
    }
    const spec = this.contract.methods[method]!;
    const args = spec.args.safeParse(rawArgs ?? {});
    if (!args.success) return { ok: false, error: invalidArguments(method, args.error) };
    const handler = (this.handlers.methods as Record<string, (args: unknown) => unknown>)[method]!;
    let value: unknown;
    try {
      value = await handler(args.data);
    } catch (thrown) {
      return { ok: false, error: CoachError.toShape(thrown) };
    }
    const result = spec.result.safeParse(value);
    if (!result.success) {
      return {
        ok: false,
        error: {
          code: 'service_failure',
          message: `${method} produced a result that breaks the contract (a bug in Coach; please report it)`,
          details: { issues: describeIssues(result.error) },
        },
      };
    }
    return { ok: true, value: result.data };
  }

  /**
   * Starts a stream. Payloads that break the stream's schema are dropped and
   * reported through onInvalidPayload rather than sent.
   */
  subscribe(
    stream: string,
    rawArgs: unknown,
    sink: (payload: unknown) => void,
    onInvalidPayload: (error: CoachErrorShape) => void = () => {},
  ): SubscribeOutcome {
    if (!Object.hasOwn(this.contract.streams, stream)) {
      return {
        ok: false,
        error: {
          code: 'unknown_stream',
          message: `unknown stream "${stream}"`,
          details: { known: Object.keys(this.contract.streams) },
        },
      };
    }
    const spec = this.contract.streams[stream]!;
    const args = spec.args.safeParse(rawArgs ?? {});
    if (!args.success) return { ok: false, error: invalidArguments(stream, args.error) };
    const start = (this.handlers.streams as Record<string, (args: unknown, emit: (p: unknown) => void) => () => void>)[
      stream
    ]!;
    let active = true;
    try {
      const stop = start(args.data, (payload) => {
        if (!active) return;
        const checked = spec.payload.safeParse(payload);
        if (checked.success) sink(checked.data);
        else
          onInvalidPayload({
            code: 'service_failure',
            message: `${stream} emitted a payload that breaks the contract; it was dropped`,
            details: { issues: describeIssues(checked.error) },
          });
      });
      return {
        ok: true,
        unsubscribe: () => {
          if (!active) return;
          active = false;
          stop();
        },
      };
    } catch (thrown) {
      return { ok: false, error: CoachError.toShape(thrown) };
    }
  }
}
