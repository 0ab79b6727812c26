// The part of the `ioredis` package's API that this folder uses, for type checking and docs.
//
// Why not ioredis' own types: they pull in @types/node, and `deno doc` (Deno 2.9, deno_graph)
// resolves @types/node's `/// <reference path="zlib.d.ts" />` lines as package names, printing
// dozens of "Failed resolving types" warnings (denoland/deno#36751). A real ioredis `Redis`
// instance fits this class structurally. The tests run the real ioredis under Deno, Bun and
// Node.

import type { Buffer } from "node:buffer";

/** Options of {@link Redis} that this folder sets. */
export interface RedisOptions {
  lazyConnect?: boolean;
  commandTimeout?: number;
  retryStrategy?: (times: number) => number | null;
  maxRetriesPerRequest?: number | null;
  enableOfflineQueue?: boolean;
  autoResendUnfulfilledCommands?: boolean;
}

/** An argument of a command: text, a number, or bytes. */
export type RedisArgument = string | number | Buffer;

/** A MULTI transaction being built. */
export interface RedisPipeline {
  del(...keys: string[]): RedisPipeline;
  publish(channel: string, message: RedisArgument): RedisPipeline;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** An error that Redis answered (a wrong type, a script error), as ioredis rejects with. */
export class ReplyError extends Error {
  constructor(message: string);
}

/** An ioredis client. */
export class Redis {
  constructor(url: string, options?: RedisOptions);
  constructor(options?: RedisOptions & { host?: string; port?: number });
  readonly status: string;
  /** The options it was made with: only its key prefix and database number are read here. */
  readonly options: { readonly keyPrefix?: string; readonly db?: number };
  on(event: "error", listener: (error: Error) => void): this;
  on(event: "ready" | "close" | "end" | "reconnecting", listener: () => void): this;
  on(event: "messageBuffer", listener: (channel: Buffer, message: Buffer) => void): this;
  on(event: "message", listener: (channel: string, message: string) => void): this;
  once(event: "ready" | "end", listener: () => void): this;
  off(event: "error" | "ready" | "end", listener: (error?: Error) => void): this;
  listenerCount(event: "error" | "ready"): number;
  connect(): Promise<void>;
  disconnect(): void;
  quit(): Promise<unknown>;
  duplicate(options?: RedisOptions): Redis;
  ping(): Promise<string>;
  get(key: string): Promise<string | null>;
  set(key: string, value: RedisArgument, mode: "PX", milliseconds: number): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  exists(...keys: string[]): Promise<number>;
  publish(channel: string, message: RedisArgument): Promise<number>;
  subscribe(...channels: string[]): Promise<unknown>;
  multi(): RedisPipeline;
  call(command: string, ...args: RedisArgument[]): Promise<unknown>;
  callBuffer(command: string, ...args: RedisArgument[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...keysAndArgs: RedisArgument[]): Promise<unknown>;
}
