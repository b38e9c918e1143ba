import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  GreenlightError
} from "./chunk-L2HEXJUQ.js";

// src/exec/command-runner.ts
import { spawn } from "node:child_process";
var DEFAULT_TIMEOUT_MS = 30 * 6e4;
function createCommandRunner(log, env) {
  const secrets = [];
  const history = [];
  const redact = (text) => secrets.reduce((result, secret) => result.split(secret).join("***"), text);
  async function run(command, args, options = {}) {
    const argv = [command, ...args].map(redact);
    log.info(`[command] ${argv.join(" ")}`);
    const echo = options.echo ?? true;
    const result = await spawnCaptured(command, args, options, env, (line) => {
      if (echo) log.info(redact(line));
    });
    const redacted = {
      exitCode: result.exitCode,
      stdout: redact(result.stdout),
      stderr: redact(result.stderr),
      ...result.timedOut ? { timedOut: true } : {}
    };
    history.push({ argv, ...redacted });
    return redacted;
  }
  return {
    run,
    async check(command, args, options) {
      const result = await run(command, args, options);
      if (result.exitCode !== 0) {
        const tail = lastLines(result.stderr || result.stdout, 5);
        throw new GreenlightError(
          `${describeCommand(command, args.map(redact))} failed with exit code ${result.exitCode}${tail ? `:
${tail}` : ""}`
        );
      }
      return result;
    },
    addSecret(secret) {
      if (secret && !secrets.includes(secret)) secrets.push(secret);
    },
    history
  };
}
function describeCommand(command, args) {
  const words = [];
  let skipValue = false;
  for (const arg of args) {
    if (arg.startsWith("-")) {
      if (words.length > 0) break;
      skipValue = !arg.includes("=");
    } else if (skipValue) {
      skipValue = false;
    } else if (words.push(arg) === 2) {
      break;
    }
  }
  return [command, ...words].join(" ");
}
function lastLines(text, count) {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}
function spawnCaptured(command, args, options, env, onLine) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: options.processGroup === true
    });
    let stoppedBy;
    const stop = (why) => {
      stoppedBy ??= why;
      if (child.pid === void 0 || child.exitCode !== null) return;
      try {
        if (options.processGroup) process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGTERM");
      } catch {
      }
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const onAbort = () => stop("cancelled");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const cleanUp = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    };
    const stdout = collectLines(child.stdout, onLine);
    const stderr = collectLines(child.stderr, onLine);
    child.stdin.on("error", () => {
    });
    child.stdin.end(options.stdin ?? "");
    child.on("error", (error) => {
      cleanUp();
      resolve({ exitCode: 127, stdout: stdout(), stderr: `${stderr()}${error.message}
` });
    });
    child.on("close", (code, signal) => {
      cleanUp();
      const why = stoppedBy ? ` (${stoppedBy})` : "";
      resolve({
        exitCode: code ?? 128,
        stdout: stdout(),
        stderr: signal ? `${stderr()}killed by ${signal}${why}
` : stderr(),
        ...stoppedBy === "timeout" ? { timedOut: true } : {}
      });
    });
  });
}
function collectLines(stream, onLine) {
  let all = "";
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    all += chunk;
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
  stream.on("end", () => {
    if (pending) onLine(pending);
    pending = "";
  });
  return () => all;
}

export {
  createCommandRunner
};
