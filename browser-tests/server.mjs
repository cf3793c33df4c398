// The packaged jar as the browser-level tests run it: standalone mode on a free port of
// 127.0.0.1 with a throw-away H2 database, found and started the same way for every test
// file. Importing this module installs the last-resort hooks that never leave a jar
// running when the runner exits or is interrupted; limitRun() adds a hard bound on a file.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const TARGET = path.join(REPO, 'chat-service', 'target');
const BUILD_HINT = './mvnw -B -DskipTests package -pl chat-service';

export const STARTUP_LIMIT_MS = 90_000;

/** The servers this process started and has not stopped yet. */
const running = new Set();

export function findJar() {
  if (process.env.CHAT_JAR) {
    if (!existsSync(process.env.CHAT_JAR)) throw new Error(`CHAT_JAR=${process.env.CHAT_JAR} does not exist`);
    return process.env.CHAT_JAR;
  }
  const jars = existsSync(TARGET)
    ? readdirSync(TARGET).filter((f) => /^chat-service-.*\.jar$/.test(f) && !/-(plain|sources|javadoc)\.jar$/.test(f))
    : [];
  if (!jars.length) {
    throw new Error(`No packaged jar in ${TARGET}. Build it first, from the repository root: ${BUILD_HINT}`);
  }
  return path.join(TARGET, jars.sort().at(-1));
}

// The repository's one JDK finder (tools/jdk.sh, also sourced by ./mvnw), so that these
// tests run the jar on the Java the build chose.
export function javaCommand() {
  const found = spawnSync('bash', ['-c', '. tools/jdk.sh && find_jdk'], { cwd: REPO, encoding: 'utf8' });
  const home = found.status === 0 ? found.stdout.trim() : '';
  if (!home) {
    throw new Error(`tools/jdk.sh found no JDK >= 21 (${(found.stderr || found.error || '').toString().trim() || 'no output'}): `
      + 'set JAVA_HOME to a JDK 21 or newer');
  }
  return path.join(home, 'bin', 'java');
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function logTail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts the jar and resolves, once it reports ready, to {proc, log, dir, base}. */
export async function startServer() {
  const jar = findJar();
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chat-browser-test-'));
  const log = path.join(dir, 'server.log');
  const out = createWriteStream(log);
  const env = { ...process.env };
  delete env.SPRING_PROFILES_ACTIVE; // standalone is what these tests exist for
  const proc = spawn(javaCommand(), [
    '-XX:TieredStopAtLevel=1', // faster start-up; this run is short
    '-jar', jar,
    '--spring.profiles.active=standalone',
    `--server.port=${port}`,
    '--server.address=127.0.0.1',
    `--spring.datasource.url=jdbc:h2:file:${dir}/chat;MODE=MySQL;DATABASE_TO_LOWER=TRUE;NON_KEYWORDS=VALUE`,
  ], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(out);
  proc.stderr.pipe(out);
  const server = { proc, log, dir, base: `http://127.0.0.1:${port}` };
  running.add(server);

  try {
    await untilReady(server);
    return server;
  } catch (e) {
    await stopServer(server); // the caller has no handle to stop it with
    throw e;
  }
}

async function untilReady({ proc, log, base }) {
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`The server exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${logTail(log)}`);
    }
    try {
      const res = await fetch(`${base}/actuator/health/readiness`);
      if (res.ok && (await res.json()).status === 'UP') return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`The server was not ready within ${STARTUP_LIMIT_MS / 1000}s:\n${logTail(log)}`);
}

/** SIGTERM, SIGKILL after 10 s, then the database directory goes. */
export async function stopServer(server) {
  if (!server || !running.has(server)) return;
  const { proc, dir } = server;
  if (proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
  running.delete(server);
}

// Last resort if the runner dies or is interrupted without running after():
// never leave the jar running.
function killNow() {
  for (const server of running) {
    if (server.proc.exitCode === null) server.proc.kill('SIGKILL');
    try { rmSync(server.dir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
  running.clear();
}
process.on('exit', killNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killNow();
    process.exit(130);
  });
}

/** A hard bound on the whole test file, whatever hangs: past it the jar is killed and the process exits 1. */
export function limitRun(ms, what) {
  setTimeout(() => {
    console.error(`# ${what}: still running after ${ms / 1000}s; giving up`);
    killNow();
    process.exit(1);
  }, ms).unref();
}
