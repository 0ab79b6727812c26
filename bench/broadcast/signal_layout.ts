/**
 * The 64-byte signal every broadcast benchmark server sends: the server's clock when it made
 * the call (`performance.timeOrigin + performance.now()`, ms since the epoch, float64 LE at
 * offset 0), the broadcast's sequence number (uint32 LE at offset 8) and a fixed filler that
 * the load generator checks. Plain functions on `Uint8Array`, shared by the TypeScript servers
 * and the load generator (the socket.io server, in plain JavaScript, writes the same layout).
 *
 * @module
 */

/** Bytes of the broadcast payload. */
export const signalPayloadBytes = 64;
/** The signal's name in the WebWire runs and the event's name in the socket.io runs. */
export const signalName = "tick";
/** The request (WebWire) or event with acknowledgement (socket.io) that triggers a broadcast. */
export const triggerName = "broadcast";

const sequenceOffset = 8;
const fillerOffset = 12;

/** The filler byte at `index` (from offset 12 on). */
export function fillerByte(index: number): number {
  return (index * 31 + 7) & 0xff;
}

/** A payload stamped with the current time of this process's clock. */
export function stampedPayload(sequence: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(signalPayloadBytes);
  for (let i = fillerOffset; i < signalPayloadBytes; i++) bytes[i] = fillerByte(i);
  const view = new DataView(bytes.buffer);
  view.setUint32(sequenceOffset, sequence, true);
  // Last, so that the stamp is as close to the broadcast call as it can be.
  view.setFloat64(0, performance.timeOrigin + performance.now(), true);
  return bytes;
}

/** What a received payload says, or `undefined` when it is not one of ours. */
export function readPayload(bytes: Uint8Array): { sentAt: number; sequence: number } | undefined {
  if (bytes.length !== signalPayloadBytes) return undefined;
  for (let i = fillerOffset; i < signalPayloadBytes; i++) {
    if (bytes[i] !== fillerByte(i)) return undefined;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { sentAt: view.getFloat64(0, true), sequence: view.getUint32(sequenceOffset, true) };
}
