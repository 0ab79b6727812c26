/**
 * This library's client as a client-under-test program for the live client suite:
 * `deno run -A conformance/client_program.ts [flags] <url>` (or `bun run ...`). It follows
 * the script protocol of "Client suite" in `conformance/README.md`: connect, send request
 * `start`, obey the server's `do:<action>` signals and print what happens as lines on stdout.
 *
 * Flags that break it on purpose, so that tests can see the suite catch a bad client:
 * `--no-heartbeat` drops every heartbeat, `--eager` sends a heartbeat as soon as the socket
 * opens (before the accept-conf), `--utf16` sends request payloads as UTF-16 (not UTF-8),
 * `--no-padding` reads a UTF-16 signal with a name of odd length as if no padding byte followed
 * the name (the byte is taken away before the client decodes it), `--restore-closed` restores a
 * session the server closed again 100 ms after the next connect, `--any-sub-protocol` takes the
 * server's sub-protocol name out of the accept-conf (so it accepts any), `--special-as-reply`
 * reads an internal-error or shutdown reply (types 2 and 1) as an empty binary reply,
 * `--exit-on-command` exits at its first `do:request` (its connection dropped mid-scenario).
 *
 * @example
 * ```ts
 * import { clientUnderTestLine } from "./client_program.ts";
 * console.assert(clientUnderTestLine("reply", "echo", "hi") === "reply echo hi");
 * ```
 * @module
 */

import process from "node:process";
import { Client } from "../client/client.ts";
import { RequestError } from "../protocol/request_error.ts";
import { silentLogger } from "../protocol/logger.ts";

/** The program gives up on its own after this long, in case the suite never stops it. */
const lifetimeMs = 60_000;
const heartbeatByte = 33;

/**
 * One output line: the words joined by single spaces.
 *
 * @example
 * ```ts
 * import { clientUnderTestLine } from "./client_program.ts";
 * console.assert(clientUnderTestLine("session-closed") === "session-closed");
 * ```
 */
export function clientUnderTestLine(...words: string[]): string {
  return words.join(" ");
}

function print(...words: string[]): void {
  process.stdout.write(`${clientUnderTestLine(...words)}\n`);
}

interface Broken {
  dropHeartbeats: boolean;
  eager: boolean;
  noPadding: boolean;
  anySubProtocol: boolean;
  specialAsReply: boolean;
}

/** A UTF-16 signal (65) whose name has an odd length, without the padding byte after it. */
function withoutPadding(data: unknown): unknown {
  if (!(data instanceof ArrayBuffer)) return data;
  const bytes = new Uint8Array(data);
  if (bytes[0] !== 65 || bytes.length < 3 || bytes[1] % 2 === 0) return data;
  const padding = 2 + bytes[1];
  const stripped = new Uint8Array(bytes.length - 1);
  stripped.set(bytes.subarray(0, padding));
  stripped.set(bytes.subarray(padding + 1), padding);
  return stripped.buffer;
}

/** An accept-conf (23) without its sub-protocol name; a reply of type 1 or 2 as type 191. */
function misread(data: unknown, { anySubProtocol, specialAsReply }: Broken): unknown {
  if (!(data instanceof ArrayBuffer)) return data;
  const bytes = new Uint8Array(data);
  if (anySubProtocol && bytes[0] === 23) return bytes.slice(0, 11).buffer;
  if (specialAsReply && bytes.length === 9 && (bytes[0] === 1 || bytes[0] === 2)) {
    return Uint8Array.of(191, ...bytes.subarray(1)).buffer;
  }
  return data;
}

function brokenWebSocket(broken: Broken): typeof WebSocket {
  const { dropHeartbeats, eager, noPadding } = broken;
  return class BrokenWebSocket extends WebSocket {
    constructor(url: string | URL) {
      super(url);
      if (eager) this.addEventListener("open", () => super.send(new Uint8Array([heartbeatByte])));
    }
    override get onmessage(): ((event: MessageEvent) => void) | null {
      return super.onmessage;
    }
    override set onmessage(handler: ((event: MessageEvent) => void) | null) {
      super.onmessage = handler === null ? handler : (event) => {
        const data = misread(event.data, broken);
        handler({ data: noPadding ? withoutPadding(data) : data } as MessageEvent);
      };
    }
    override send(data: string | BufferSource | Blob): void {
      const bytes = data as Uint8Array;
      if (dropHeartbeats && bytes.length === 1 && bytes[0] === heartbeatByte) return;
      super.send(data);
    }
  };
}

/** Splits `<name> <payload>` at the first space. */
function nameAndPayload(text: string): [string, string] {
  const space = text.indexOf(" ");
  return space < 0 ? [text, ""] : [text.slice(0, space), text.slice(space + 1)];
}

/** Whether request payloads go as UTF-16 (`--utf16`): a client the suite must fail. */
let utf16 = false;

function sendRequest(client: Client, name: string, payload: string): void {
  const options = utf16 ? { encoding: "utf16" as const } : {};
  client.request(name, payload === "" ? undefined : payload, options).then(
    (reply) => print("reply", name, reply.text()),
    (error: unknown) => {
      if (error instanceof RequestError) print("request-error", name, error.code, error.message);
      else print("request-failed", name, error instanceof Error ? error.message : String(error));
    },
  );
}

async function main(args: string[]): Promise<number> {
  const url = args[args.length - 1];
  if (url === undefined || !/^wss?:\/\//.test(url)) {
    print(
      "error",
      "usage: client_program.ts [--no-heartbeat] [--eager] [--utf16] [--no-padding] " +
        "[--restore-closed] [--any-sub-protocol] [--special-as-reply] [--exit-on-command] " +
        "<ws-url>",
    );
    return 2;
  }
  utf16 = args.includes("--utf16");
  const dropHeartbeats = args.includes("--no-heartbeat");
  const eager = args.includes("--eager");
  const noPadding = args.includes("--no-padding");
  const anySubProtocol = args.includes("--any-sub-protocol");
  const specialAsReply = args.includes("--special-as-reply");
  const brokenBy = { dropHeartbeats, eager, noPadding, anySubProtocol, specialAsReply };
  const broken = Object.values(brokenBy).some((flag) => flag);
  const restoreClosed = args.includes("--restore-closed");
  const exitOnCommand = args.includes("--exit-on-command");
  let lastKey: string | undefined;
  let closedKey: string | undefined;
  let exit: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => exit = resolve);
  const client: Client = new Client(url, {
    requestTimeout: 10_000,
    logger: silentLogger,
    WebSocket: broken ? brokenWebSocket(brokenBy) : undefined,
    onConnected: () => {
      print("connected");
      const key = closedKey;
      if (key === undefined || !restoreClosed) return;
      closedKey = undefined;
      setTimeout(() => client.restoreSession(key).catch(() => {}), 100);
    },
    onDisconnected: () => print("disconnected"),
    onSessionCreated: (session) => {
      lastKey = session.key;
      print("session-created", session.key);
    },
    onSessionClosed: () => {
      closedKey = lastKey;
      print("session-closed");
    },
    onSignal: (signal) => {
      if (!signal.name.startsWith("do:")) {
        print("signal", signal.name, signal.payload.text());
        return;
      }
      const argument = signal.payload.text();
      switch (signal.name) {
        case "do:request":
          if (exitOnCommand) process.exit(0);
          sendRequest(client, ...nameAndPayload(argument));
          return;
        case "do:signal":
          try {
            client.signal(...nameAndPayload(argument));
          } catch (error) {
            print("signal-failed", error instanceof Error ? error.message : String(error));
          }
          return;
        case "do:exit":
          client.close().then(() => exit(0));
          return;
        default:
          print("unknown-command", signal.name);
      }
    },
  });
  try {
    await client.connect();
  } catch (error) {
    print("error", error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    await client.close();
    return 1;
  }
  sendRequest(client, "start", "");
  const timer = setTimeout(() => exit(0), lifetimeMs);
  const code = await done;
  clearTimeout(timer);
  return code;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
