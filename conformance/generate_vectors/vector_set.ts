/**
 * The growing list of vectors and their files that each family adds to; it refuses a
 * duplicate id and a generate rule that does not describe its message.
 *
 * @example
 * ```ts
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * set.invalid("heartbeat/len2", "heartbeat of 2 bytes", "client", new Uint8Array([33, 0]), "bad-length");
 * console.assert(set.files.has("heartbeat/len2.bin"));
 * ```
 * @module
 */

import {
  generatedBytes,
  type GenerateRule,
  toHex,
  type Vector,
  type VectorSender,
} from "../manifest.ts";
import type { Built } from "./built_message.ts";

/**
 * The manifest entries and file bytes built so far, in the order they were added.
 *
 * @example
 * ```ts
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * set.valid("heartbeat/valid", "heartbeat", {
 *   bytes: new Uint8Array([33]),
 *   sender: "client",
 *   expect: { type: 33, kind: "heartbeat" },
 * });
 * console.assert(set.vectors[0].canonical === true);
 * ```
 */
export class VectorSet {
  /** The manifest entries. */
  readonly vectors: Vector[] = [];
  /** File bytes by path relative to the vectors directory. */
  readonly files: Map<string, Uint8Array> = new Map();

  /** Adds a valid message, stored as `<id>.bin`. */
  valid(id: string, description: string, built: Built): void {
    const file = `${id}.bin`;
    this.#add(file, built.bytes, {
      id,
      file,
      description,
      sender: built.sender,
      ...this.#canonicalFields(built),
      expect: built.expect,
    });
  }

  /** Adds bytes that receivers must reject for `reason`, stored as `<id>.bin`. */
  invalid(
    id: string,
    description: string,
    sender: VectorSender,
    bytes: Uint8Array,
    reason: string,
  ): void {
    const file = `${id}.bin`;
    this.#add(file, bytes, { id, file, description, sender, invalid: { reason } });
  }

  /** Adds a valid message described by `generate` instead of a stored file. */
  generated(id: string, description: string, built: Built, generate: GenerateRule): void {
    const expanded = generatedBytes(generate);
    if (expanded.length !== built.bytes.length || expanded.some((b, i) => b !== built.bytes[i])) {
      throw new Error(`generate rule of ${id} does not describe its bytes`);
    }
    const { payloadHex: _, ...fields } = built.expect;
    this.#push({
      id,
      generate,
      description,
      sender: built.sender,
      ...this.#canonicalFields(built),
      expect: { ...fields, payloadGenerated: generate.payload },
    });
  }

  #canonicalFields(
    built: Built,
  ): Pick<Vector, "canonical" | "nonCanonical" | "canonicalHex"> {
    if (built.nonCanonical === undefined) return { canonical: true };
    const { why, canonical } = built.nonCanonical;
    return canonical === undefined
      ? { canonical: false, nonCanonical: why }
      : { canonical: false, nonCanonical: why, canonicalHex: toHex(canonical) };
  }

  #add(file: string, bytes: Uint8Array, vector: Vector): void {
    if (this.files.has(file)) throw new Error(`duplicate vector file ${file}`);
    this.files.set(file, bytes);
    this.#push(vector);
  }

  #push(vector: Vector): void {
    if (this.vectors.some((v) => v.id === vector.id)) throw new Error(`duplicate ${vector.id}`);
    this.vectors.push(vector);
  }
}
