/**
 * A chat contract built from valibot schemas, and a server for it, shared by the typed layer's
 * tests: every kind of payload (JSON object, string, none, bytes, a transforming schema), a
 * handler that fails with a `RequestError` and one that fails with a plain error, a client
 * signal and server signals.
 *
 * @example
 * ```ts
 * import { Client } from "../client/client.ts";
 * import { TypedClient } from "../typed/typed_client.ts";
 * import { chat, startChat } from "./typed_chat.ts";
 * const started = await startChat();
 * const api = new TypedClient(new Client(started.running.url), chat);
 * const { id } = await api.request("say", { room: "lobby", text: "hi" });
 * console.assert(id === 1);
 * await api.client.close();
 * await started.running.close();
 * ```
 * @module
 */

import * as v from "valibot";
import { silentLogger } from "../protocol/logger.ts";
import { RequestError } from "../protocol/request_error.ts";
import type { IncomingSignal } from "../server/incoming.ts";
import { type ContractOf, defineContract } from "../typed/define_contract.ts";
import { createRouter, type RouterOptions } from "../typed/router.ts";
import { TypedServer } from "../typed/typed_server.ts";
import { unchecked } from "../typed/unchecked.ts";
import { type StartedServer, type StartOptions, startServer } from "./serve.ts";

/**
 * A chat message as the server keeps and sends it.
 *
 * @example
 * ```ts
 * import type { Message } from "./typed_chat.ts";
 * const m: Message = { id: 1, room: "lobby", text: "hi" };
 * console.assert(m.id === 1);
 * ```
 */
export interface Message {
  /** Counts up from 1 over all rooms. */
  id: number;
  /** The room it was said in. */
  room: string;
  /** What was said. */
  text: string;
}

const room = v.pipe(v.string(), v.minLength(1), v.maxLength(32));

/**
 * The test contract. `say` validates an object, `history` a string, `count` takes nothing,
 * `avatar` takes and returns bytes, `age` turns an ISO timestamp into a `Date` (a
 * transforming schema), `forbidden` always fails with `FORBIDDEN`, `broken` with a plain
 * error (an internal-error reply).
 *
 * @example
 * ```ts
 * import { chat } from "./typed_chat.ts";
 * console.assert(Object.keys(chat.schemas.requests ?? {}).includes("say"));
 * ```
 */
export const chat = defineContract({
  requests: {
    say: {
      payload: v.object({ room, text: v.pipe(v.string(), v.maxLength(200)) }),
      reply: unchecked<{ id: number }>(),
    },
    history: { payload: room, reply: unchecked<Message[]>() },
    count: { reply: v.number() },
    avatar: { payload: v.instance(Uint8Array), reply: unchecked<Uint8Array>({ bytes: true }) },
    age: {
      payload: v.pipe(v.string(), v.isoTimestamp(), v.transform((text) => new Date(text))),
      reply: v.number(),
    },
    forbidden: { payload: v.string() },
    broken: {},
  },
  clientSignals: { typing: v.object({ room }) },
  serverSignals: {
    message: unchecked<Message>(),
    typing: unchecked<{ room: string }>(),
    bytes: unchecked<Uint8Array>({ bytes: true }),
    ping: unchecked<undefined>(),
  },
});

/**
 * The contract type of {@link chat}.
 *
 * @example
 * ```ts
 * import type { Chat } from "./typed_chat.ts";
 * import type { RequestReply } from "../typed/contract.ts";
 * const reply: RequestReply<Chat, "count"> = 0;
 * console.assert(reply === 0);
 * ```
 */
export type Chat = ContractOf<typeof chat>;

/**
 * A running chat server and what it recorded.
 *
 * @example
 * ```ts
 * import { chat, type StartedChat, startChat } from "./typed_chat.ts";
 * import { Client } from "../client.ts";
 * import { TypedClient } from "../typed/mod.ts";
 * const started: StartedChat = await startChat();
 * const client = new Client(started.running.url);
 * const typed = new TypedClient(client, chat);
 * console.assert((await typed.request("say", { room: "lobby", text: "hi" })).id === 1);
 * console.assert(started.messages[0].text === "hi");
 * await client.close();
 * await started.running.close();
 * ```
 */
export interface StartedChat {
  /** The server, its port and URL. */
  readonly running: StartedServer;
  /** Typed pushes through it. */
  readonly push: TypedServer<Chat>;
  /** Every message said, in order. */
  readonly messages: Message[];
  /** The payloads of the `typing` signals handled. */
  readonly typing: { room: string }[];
  /** Signals the router dropped, with their codes. */
  readonly rejected: { name: string; code: string; message: string }[];
}

/**
 * Starts the chat server (quiet logger) with `startServer` options such as the adapter. `say`
 * stores the message and publishes it to the room's topic; `typing` subscribes the connection
 * to the room and publishes the signal there.
 *
 * @example
 * ```ts
 * import { startChat } from "./typed_chat.ts";
 * const started = await startChat({ adapter: "node" });
 * console.assert(started.running.url.startsWith("ws://"));
 * await started.running.close();
 * ```
 */
export async function startChat(
  options: StartOptions & Pick<RouterOptions, "maxIssueSummary"> = {},
): Promise<StartedChat> {
  const messages: Message[] = [];
  const typing: { room: string }[] = [];
  const rejected: { name: string; code: string; message: string }[] = [];
  const reject = (signal: IncomingSignal, error: RequestError) =>
    void rejected.push({ name: signal.name, code: error.code, message: error.message });
  const router = createRouter(chat, {
    requests: {
      say: ({ room, text }) => {
        const message = { id: messages.length + 1, room, text };
        messages.push(message);
        push.publish(`room:${room}`, "message", message);
        return { id: message.id };
      },
      history: (room) => messages.filter((message) => message.room === room),
      count: () => messages.length,
      avatar: (bytes) => bytes.slice().reverse(),
      age: (when) => Date.UTC(2030, 0, 1) - when.getTime(),
      forbidden: (reason) => {
        throw new RequestError("FORBIDDEN", `not allowed: ${reason}`);
      },
      broken: () => {
        throw new Error("a bug in a handler");
      },
    },
    clientSignals: {
      typing: (payload, { connection }) => {
        typing.push(payload);
        connection.subscribe(`room:${payload.room}`);
        push.publish(`room:${payload.room}`, "typing", payload);
      },
    },
  }, { onRejectedSignal: reject, maxIssueSummary: options.maxIssueSummary });
  const running = await startServer({ logger: silentLogger, ...options, ...router });
  const push = new TypedServer(running.server, chat);
  return { running, push, messages, typing, rejected };
}
