/**
 * Typed requests end to end, above the wire (WebWire v2 is unchanged, so any client that sends
 * UTF-8 JSON can call a typed server): one contract shared by server and client, a router
 * that produces the server's `onRequest` / `onSignal` hooks, typed server pushes, and a typed
 * view of the client. Runtime validation is optional, through any Standard Schema library
 * (zod, valibot, arktype); the contract type can be inferred from the schemas.
 *
 * Payloads are JSON in UTF-8, except `Uint8Array` (binary, taken by a router only where a
 * payload schema says so); what JSON would silently change (a `Date`, a `Map`, an
 * `ArrayBuffer`, a function) is refused with a `TypeError` when sent, and in a contract type at
 * compile time ({@link SendableContract}). Where a schema transforms (a string into a `Date`,
 * a default), a client sends the schema's input type and the handler receives its output type.
 * Error replies of the router: `UNKNOWN_REQUEST`, `BAD_PAYLOAD` (not JSON: a binary payload to
 * a contract declared as a type, or JSON with a `"__proto__"` key, included), `INVALID_PAYLOAD`
 * (the schema refused it, with a short summary, or threw, or a request without a payload schema
 * got one); a handler's `RequestError` passes through unchanged.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveNode } from "@webwire/webwire/adapters/node";
 * import { createRouter, defineContract, TypedClient, TypedServer } from "@webwire/webwire/typed";
 *
 * // shared by both ends
 * interface Chat {
 *   requests: { say: { payload: { text: string }; reply: { id: number } } };
 *   serverSignals: { message: { id: number; text: string } };
 * }
 * const chat = defineContract<Chat>();
 *
 * // server
 * let next = 0;
 * const server = new Server({
 *   ...createRouter(chat, {
 *     requests: {
 *       say: ({ text }) => {
 *         const id = ++next;
 *         push.broadcast("message", { id, text });
 *         return { id };
 *       },
 *     },
 *   }),
 * });
 * const push = new TypedServer(server, chat);
 * const running = await serveNode(server, { port: 0, hostname: "127.0.0.1" });
 *
 * // client
 * const api = new TypedClient(new Client(running.url), chat);
 * const heard = new Promise<string>((resolve) => api.on("message", ({ text }) => resolve(text)));
 * const { id } = await api.request("say", { text: "hello" });
 * console.assert(id === 1 && (await heard) === "hello");
 * await api.client.close();
 * await running.close();
 * ```
 * @module
 */

export type {
  ClientSignalInput,
  ClientSignalName,
  ClientSignalPayload,
  Contract,
  ContractSection,
  FieldOrUndefined,
  RequestInput,
  RequestName,
  RequestPayload,
  RequestReply,
  ServerSignalInput,
  ServerSignalName,
  ServerSignalPayload,
} from "./contract.ts";
export { type ContractDefinition, type ContractOf, defineContract } from "./define_contract.ts";
export type {
  ContractSchemas,
  InferContract,
  RequestSchemas,
  SchemaInputOr,
  SchemaOutputOr,
  SchemaSection,
} from "./contract_schemas.ts";
export type { PayloadArg, PayloadArgs, PayloadForEach } from "./payload_args.ts";
export type { JsonSendable, Sendable, SendableContract } from "./sendable.ts";
export { unchecked, type UncheckedOptions } from "./unchecked.ts";
export {
  createRouter,
  type HandlerResult,
  type RequestHandler,
  type RouterHandlers,
  type RouterOptions,
  type SignalHandler,
  type TypedRouter,
} from "./router.ts";
export {
  type TypedBroadcastOptions,
  type TypedPublishOptions,
  TypedServer,
} from "./typed_server.ts";
export {
  type ListenOptions,
  TypedClient,
  type TypedClientOptions,
  type TypedRequestOptions,
  type TypedSignalListener,
} from "./typed_client.ts";
export { BadPayloadError, TypedErrorCode, type TypedErrorCodeValue } from "./errors.ts";
export { decodeValue, encodeValue } from "./payload_codec.ts";
export { summarizeIssues } from "./issue_summary.ts";
export type {
  InferSchemaInput,
  InferSchemaOutput,
  StandardSchemaV1,
  StandardSchemaV1Failure,
  StandardSchemaV1Issue,
  StandardSchemaV1PathSegment,
  StandardSchemaV1Props,
  StandardSchemaV1Result,
  StandardSchemaV1Success,
  StandardSchemaV1Types,
} from "./standard_schema.ts";
export { RequestError } from "../protocol/request_error.ts";
