/**
 * The broadcast load generator's record of one broadcast at a time: for each connection, how
 * long after the server's call the signal arrived (the server stamps its clock into the
 * payload; this process reads the same system clock), and the server's answer to the trigger.
 *
 * @module
 */

import { fail } from "../e2e/load_common.ts";
import { readPayload } from "./signal_layout.ts";

/** This process's clock in ms since the epoch, comparable with the server's stamp. */
const now = (): number => performance.timeOrigin + performance.now();

/**
 * Records the arrivals of the broadcast in progress and says when all are in. A signal that is
 * not the current broadcast, a second copy, or a reply that counts other connections ends the
 * process (`fail`): the run would measure something else.
 *
 * @example
 * ```ts
 * import { BroadcastArrivals } from "./broadcast_arrivals.ts";
 * import { stampedPayload } from "./signal_layout.ts";
 * const broadcast = new BroadcastArrivals(2);
 * const done = broadcast.begin(7);
 * const payload = stampedPayload(7); // what the server sends, stamped with its clock
 * broadcast.arrived(0, payload);
 * broadcast.arrived(1, payload);
 * broadcast.answered(2, 0.25); // the trigger's reply: sent to 2 connections, a 0.25 ms call
 * await done;
 * console.assert(broadcast.received === 2 && broadcast.arrivals.every((ms) => ms >= 0));
 * ```
 */
export class BroadcastArrivals {
  sequence = -1;
  triggeredAt = 0;
  sentAt = 0;
  received = 0;
  replied = false;
  callMs = 0;
  readonly arrivals: Float64Array;
  #done: (() => void) | undefined;

  constructor(readonly connections: number) {
    this.arrivals = new Float64Array(connections);
  }

  /**
   * Starts the next broadcast; resolves once every connection got it and the trigger was
   * answered.
   */
  begin(sequence: number): Promise<void> {
    this.sequence = sequence;
    this.received = 0;
    this.replied = false;
    this.arrivals.fill(-1);
    this.triggeredAt = now();
    return new Promise((resolve) => (this.#done = resolve));
  }

  /** A signal arrived on connection `index`. */
  arrived(index: number, bytes: Uint8Array): void {
    const at = now();
    const payload = readPayload(bytes);
    if (payload === undefined) return fail(`connection ${index} got a malformed broadcast payload`);
    if (payload.sequence !== this.sequence) {
      return fail(`connection ${index} got broadcast ${payload.sequence} during ${this.sequence}`);
    }
    if (this.arrivals[index] >= 0) return fail(`connection ${index} got broadcast twice`);
    this.arrivals[index] = at - payload.sentAt;
    this.sentAt = payload.sentAt;
    this.received++;
    this.#check();
  }

  /** The trigger was answered: how many connections the server sent to, in how many ms. */
  answered(sent: number, callMs: number): void {
    if (sent !== this.connections) {
      return fail(`the server broadcast to ${sent} connections, not ${this.connections}`);
    }
    if (!(callMs >= 0)) return fail(`the server reported a call time of ${callMs} ms`);
    this.callMs = callMs;
    this.replied = true;
    this.#check();
  }

  #check(): void {
    if (this.replied && this.received === this.connections) this.#done?.();
  }
}
