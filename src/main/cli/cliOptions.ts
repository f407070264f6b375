import { parseArgs } from 'node:util';
import { defaultDataDir } from '../appPaths';

export const USAGE = `Coach — operator console for the Galaxea A1 and VLA policies

Usage: coach <command> [options]

Commands:
  serve            serve the console to a browser on this machine (prints a URL with an access token)
  info             print versions, inference providers and machine resources
  arm …            technician's tools: ports, monitor a link, build and decode wire frames ("coach arm help")
  sim render …     draw a synthetic camera's picture of a generated tabletop scene ("coach sim help"):
                   coach sim render --task "<instruction>" --seed N --out file.png [--camera scene|wrist]
                                    [--width 640 --height 480] [--labels]
  cameras          list cameras (/dev/video*) with their formats and frame sizes ("--json" for JSON)
  model inspect …  check a model package folder and describe it: coach model inspect DIR [--json]
  run …            one headless attempt: coach run --task "<instruction>" [--model DIR] [--seed N] [--link sim]
                   prints the outcome, strokes and inference times ("coach run --help"); the attempt is recorded
  episodes …       list and label recorded episodes: coach episodes list [--label good --task grape …],
                   coach episodes label ID good|bad|unsure [--note TEXT] ("coach episodes help")
  export …         export episodes: coach export --format lerobot-v2.1|lerobot-v3|jsonl --out DIR [filters]
  eval …           evaluate a model in the sim on held-out scenes: coach eval [--model DIR] [--episodes N]
  train …          behaviour cloning of a model package: coach train --model DIR --data FILE --out DIR ("coach train --help")
  pairs …          preference pairs for refinement: coach pairs build [--from labels|gta|all] [--reward gta|wm|wm+gta] [--k 5],
                   coach pairs list [--source label,gta] [--json], coach pairs flip|discard|restore ID… ("coach pairs help")
  refine …         DPO refinement on labelled episodes, evaluated before/after: coach refine [--model DIR] [--beta X] ("coach refine --help")
  models …         model versions and their lineage: coach models list|promote ID|rollback|export ID --out DIR|delete ID
  wm …             the world model (the reward's energy): coach wm eval [--world-model DIR] [--episodes N], coach wm info [DIR]

Options (every command):
  --data DIR       data folder for settings and recordings (default: ${defaultDataDir()})
  -h, --help       show this help
  -v, --version    print Coach's version

serve options:
  --port N         port to listen on (default 8420; 0 picks a free one)
  --host ADDR      address to bind (default 127.0.0.1)
  --allow-remote   allow binding a non-loopback address (anyone on that network can then drive the arm)

info options:
  --json           print machine-readable JSON
`;

export interface CliOptions {
  command: string | null;
  dataDir: string;
  port: number;
  host: string;
  allowRemote: boolean;
  json: boolean;
  help: boolean;
  version: boolean;
}

export class CliUsageError extends Error {}

export const DEFAULT_PORT = 8420;

export function parseCliOptions(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-remote': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new CliUsageError(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
  let port = DEFAULT_PORT;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new CliUsageError(`--port must be an integer from 0 to 65535, got "${values.port}"`);
    }
  }
  if (values.data === '') throw new CliUsageError('--data needs a folder');
  return {
    command: positionals[0] ?? null,
    dataDir: values.data ?? defaultDataDir(),
    port,
    host: values.host ?? '127.0.0.1',
    allowRemote: values['allow-remote'],
    json: values.json,
    help: values.help,
    version: values.version,
  };
}
