// The Electron shell: the only place (with src/main/electron and src/preload) that imports electron.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import { defaultDataDir } from './appPaths';
import { createCoach, type Coach } from './coach';
import { bindContractToIpc } from './electron/ipcBinding';
import { hardenWebContents, rendererUrlGuard } from './electron/windowSecurity';

function dataDirFromArgs(argv: string[]): string {
  const index = argv.indexOf('--data');
  if (index >= 0 && argv[index + 1]) return path.resolve(argv[index + 1]!);
  const inline = argv.find((arg) => arg.startsWith('--data='));
  return inline ? path.resolve(inline.slice('--data='.length)) : defaultDataDir();
}

const rendererUrl =
  process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(path.join(__dirname, '../renderer/index.html')).href;
const isTrustedUrl = rendererUrlGuard(rendererUrl);

let coach: Coach | null = null;

app.enableSandbox();

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1600,
    height: 960,
    minWidth: 1024,
    minHeight: 640,
    title: 'Coach',
    backgroundColor: '#101418',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(rendererUrl);
}

/** The desktop's folder dialog, for choosing model packages and export destinations. */
async function pickFolder(title: string): Promise<string | null> {
  const parent = BrowserWindow.getFocusedWindow();
  const options: Electron.OpenDialogOptions = { title, properties: ['openDirectory'] };
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

void app.whenReady().then(() => {
  try {
    coach = createCoach({ dataDir: dataDirFromArgs(process.argv), host: 'electron', pickFolder });
  } catch (error) {
    console.error(`Coach cannot start: ${(error as Error).message}`);
    app.exit(1);
    return;
  }
  for (const warning of coach.warnings) console.warn(`warning: ${warning}`);
  hardenWebContents(isTrustedUrl);
  bindContractToIpc(ipcMain, coach.server, isTrustedUrl);
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => {
  void coach?.close();
});
