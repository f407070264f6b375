import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliUsageError, DEFAULT_PORT, parseCliOptions } from '../../../src/main/cli/cliOptions';
import { defaultDataDir } from '../../../src/main/appPaths';

describe('coach command line', () => {
  it('parses serve with its options', () => {
    const options = parseCliOptions(['serve', '--port', '0', '--host', '127.0.0.2', '--data', '/tmp/d']);
    expect(options).toMatchObject({
      command: 'serve',
      port: 0,
      host: '127.0.0.2',
      dataDir: '/tmp/d',
      allowRemote: false,
    });
  });

  it('defaults to loopback, the default port and the per-user data folder', () => {
    expect(parseCliOptions(['serve'])).toMatchObject({
      host: '127.0.0.1',
      port: DEFAULT_PORT,
      dataDir: defaultDataDir(),
    });
  });

  it('refuses bad ports, unknown flags and stray arguments with a usage error', () => {
    expect(() => parseCliOptions(['serve', '--port', '70000'])).toThrow(CliUsageError);
    expect(() => parseCliOptions(['serve', '--port', 'abc'])).toThrow(/--port/);
    expect(() => parseCliOptions(['serve', '--frobnicate'])).toThrow(CliUsageError);
    expect(() => parseCliOptions(['serve', 'extra'])).toThrow(/unexpected/);
  });

  it('puts the default data folder where each platform keeps app data', () => {
    expect(defaultDataDir('linux', {}, '/home/ann')).toBe(path.join('/home/ann/.config', 'Coach'));
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/cfg' }, '/home/ann')).toBe(path.join('/cfg', 'Coach'));
    expect(defaultDataDir('darwin', {}, '/Users/ann')).toBe(
      path.join('/Users/ann/Library/Application Support', 'Coach'),
    );
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'C:\\Users\\ann')).toContain(
      'Coach',
    );
  });
});
