/**
 * Which connections subscribed to which topic. Internal to the server core.
 *
 * @example
 * ```ts
 * import { TopicRegistry } from "./topic_registry.ts";
 * const topics = new TopicRegistry<string>();
 * topics.subscribe("room", "connection A");
 * console.assert(topics.subscribers("room").size === 1);
 * ```
 * @module
 */

const none: ReadonlySet<never> = new Set();

/**
 * A map from topic to its subscribers. Empty topics are forgotten, so memory follows the
 * subscriptions alone.
 *
 * @example
 * ```ts
 * import { TopicRegistry } from "./topic_registry.ts";
 * const topics = new TopicRegistry<number>();
 * console.assert(topics.subscribe("t", 1) && !topics.subscribe("t", 1));
 * console.assert(topics.unsubscribe("t", 1) && topics.topicCount === 0);
 * ```
 */
export class TopicRegistry<C> {
  readonly #topics = new Map<string, Set<C>>();

  /** Adds a subscriber; `false` when it was subscribed already. */
  subscribe(topic: string, subscriber: C): boolean {
    let subscribers = this.#topics.get(topic);
    if (subscribers === undefined) this.#topics.set(topic, subscribers = new Set());
    if (subscribers.has(subscriber)) return false;
    subscribers.add(subscriber);
    return true;
  }

  /** Removes a subscriber; `false` when it was not subscribed. */
  unsubscribe(topic: string, subscriber: C): boolean {
    const subscribers = this.#topics.get(topic);
    if (subscribers === undefined || !subscribers.delete(subscriber)) return false;
    if (subscribers.size === 0) this.#topics.delete(topic);
    return true;
  }

  /** The subscribers of a topic (a live view: copy it before changing subscriptions). */
  subscribers(topic: string): ReadonlySet<C> {
    return this.#topics.get(topic) ?? none;
  }

  /** How many topics have at least one subscriber. */
  get topicCount(): number {
    return this.#topics.size;
  }
}
