/**
 * Numbers the turns of the event loop in which something asks: a turn ends with its microtasks,
 * so whatever runs in one synchronous stretch (a loop sending a burst of messages, say) sees
 * one number, and whatever runs after any await or event a later one.
 *
 * @example
 * ```ts
 * import { eventTurn } from "./event_turn.ts";
 * const first = eventTurn();
 * console.assert(eventTurn() === first); // the same synchronous stretch
 * await Promise.resolve();
 * console.assert(eventTurn() > first);
 * ```
 * @module
 */

let turn = 0;
let counting = false;

function nextTurn(): void {
  turn++;
  counting = false;
}

/**
 * The number of this turn; the next turn's is higher. One microtask per turn that asks, shared
 * by every caller.
 *
 * @example
 * ```ts
 * import { eventTurn } from "./event_turn.ts";
 * const sentIn = eventTurn();
 * setTimeout(() => console.assert(eventTurn() !== sentIn), 0);
 * ```
 */
export function eventTurn(): number {
  if (!counting) {
    counting = true;
    queueMicrotask(nextTurn);
  }
  return turn;
}

/**
 * The number of the turn of the last {@link eventTurn} while that turn lasts, a higher one
 * once it has ended, without starting to count this one.
 *
 * @example
 * ```ts
 * import { eventTurn, turnSoFar } from "./event_turn.ts";
 * const now = eventTurn();
 * console.assert(turnSoFar() === now);
 * await Promise.resolve();
 * console.assert(turnSoFar() > now);
 * ```
 */
export function turnSoFar(): number {
  return turn;
}

/**
 * Starts a turn for an event handler that is about to run (one synchronous stretch): until
 * {@link eventHandled}, {@link eventTurn} answers this turn's number without queueing a
 * microtask. Cheaper than the microtask where every message is its own event, as on Deno.
 *
 * @example
 * ```ts
 * import { eventHandled, eventTurn, handlingEvent } from "./event_turn.ts";
 * handlingEvent();
 * const during = eventTurn();
 * console.assert(eventTurn() === during);
 * eventHandled();
 * console.assert(eventTurn() > during);
 * ```
 */
export function handlingEvent(): void {
  turn++;
  counting = true;
}

/**
 * Ends the turn that {@link handlingEvent} started: what runs next has a later number.
 *
 * @example
 * ```ts
 * import { eventHandled, eventTurn, handlingEvent } from "./event_turn.ts";
 * handlingEvent();
 * const during = eventTurn();
 * eventHandled();
 * console.assert(eventTurn() !== during);
 * ```
 */
export function eventHandled(): void {
  turn++;
  counting = false;
}
