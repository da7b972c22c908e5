/**
 * Electron entry: a thin shell. It opens the engine in the main process, one hardened window
 * (context isolation, sandbox, no Node in the page, CSP, no navigation or new windows) and the
 * IPC transport that serves the contract to that window. Everything else is the engine's.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BrowserWindow, app, dialog, ipcMain, safeStorage, session, shell } from 'electron';
import { createEngine, type Engine } from './engine';
import { FileSecretStore, type SecretStore } from './engine/security';
import { serve } from './rpc/serve';
import { createIpcMainTransport } from './rpc/transports/ipc-main';

const here = dirname(fileURLToPath(import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
const devUrl = process.env.ELECTRON_RENDERER_URL; // set by `electron-vite dev`

/**
 * better-sqlite3 built for Electron's ABI, kept apart from the Node build that tests and browser
 * mode use: $ORCHESTRATION_SQLITE_BINDING, else one shipped in the app's resources.
 */
function nativeBinding(): string | undefined {
  const fromEnv = process.env.ORCHESTRATION_SQLITE_BINDING;
  if (fromEnv) return fromEnv;
  const shipped = join(process.resourcesPath ?? '', 'better_sqlite3.node');
  return existsSync(shipped) ? shipped : undefined;
}

function databasePath(): string {
  return process.env.ORCHESTRATION_DB ?? join(app.getPath('userData'), 'orchestration.db');
}

/**
 * API keys: encrypted with the OS keychain's key (safeStorage: Keychain, DPAPI, libsecret) when
 * it is available, else the engine's plain 0600 file, which warns once when used.
 */
function secretStore(dbPath: string): SecretStore {
  const path = join(dirname(dbPath), 'secrets.json');
  // On Linux without a keyring safeStorage falls back to a hard-coded key: no better than a file.
  const keyring =
    safeStorage.isEncryptionAvailable() &&
    !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  if (!keyring) return new FileSecretStore(path);
  return new FileSecretStore(path.replace(/\.json$/, '.keychain.json'), {
    cipher: {
      encrypt: (plain) => safeStorage.encryptString(plain),
      decrypt: (cipher) => safeStorage.decryptString(cipher),
    },
  });
}

/** Only the app's own page may use the bridge. */
function isTrustedUrl(url: string): boolean {
  if (devUrl) return new URL(url).origin === new URL(devUrl).origin;
  return url.split(/[?#]/)[0] === pathToFileURL(rendererIndex).href;
}

function createWindow(engine: Engine, dbPath: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'Orchestration Studio',
    show: false,
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  const contents = win.webContents;
  // The app is a single page: any navigation or new window is an attack or a mistake.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url); // docs links open in the browser
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());

  const transport = createIpcMainTransport(ipcMain, contents, { isTrustedUrl });
  // The desktop user is the local admin; the audit log records their calls as over 'ipc'.
  serve(engine, transport, { role: 'admin', databasePath: dbPath, transport: 'ipc' });

  win.once('ready-to-show', () => win.show());
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(rendererIndex);
  return win;
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  // The page needs no camera, microphone, notifications or geolocation.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false),
  );
  const dbPath = databasePath();
  let engine: Engine;
  try {
    engine = await createEngine({
      databasePath: dbPath,
      nativeBinding: nativeBinding(),
      secrets: secretStore(dbPath),
    });
  } catch (error) {
    dialog.showErrorBox(
      'Orchestration Studio could not open its database',
      `${(error as Error).message}\n\nDatabase: ${dbPath}\n` +
        'If this mentions NODE_MODULE_VERSION, better-sqlite3 needs a build for Electron: set ' +
        'ORCHESTRATION_SQLITE_BINDING to it, or run `npx orchestration serve` (browser mode).',
    );
    app.exit(1);
    return;
  }
  let win = createWindow(engine, dbPath);
  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) win = createWindow(engine, dbPath);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault(); // let the engine commit accepted work and release leases first
    closed = true;
    void engine.close().finally(() => app.quit());
  });
}

void start();
