// A WebSocket client in a Node process of its own, for tests that stall the server's process
// (a busy loop) while frames arrive: the test cannot stall this client with it. Connects to
// 127.0.0.1:<port>, upgrades, waits for the first message (accept-conf) and prints
// `CONNECTED`; <delay> ms later writes the given bytes (hex: whole masked frames, built by the
// test) in one write. Prints `MESSAGE <type byte>` for each binary message received and
// `CLOSE <code>` for the close frame, then exits when the server ends the connection.
// Usage: node testing/delayed_frames_client.mjs <port> <delay ms> <hex bytes>
import { connect } from "node:net";

const [port, delay, hex] = process.argv.slice(2);
const socket = connect(Number(port), "127.0.0.1", () => {
  socket.write(
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  );
});
let buffered = Buffer.alloc(0);
let upgraded = false;
let connected = false;
socket.on("data", (chunk) => {
  buffered = Buffer.concat([buffered, chunk]);
  if (!upgraded) {
    const end = buffered.indexOf("\r\n\r\n");
    if (end < 0) return;
    upgraded = true;
    buffered = buffered.subarray(end + 4);
  }
  // Server frames are unmasked; these are short (below 126 bytes) or 16-bit lengths.
  while (buffered.length >= 2) {
    let length = buffered[1] & 0x7f;
    let start = 2;
    if (length === 126) {
      if (buffered.length < 4) return;
      length = buffered.readUInt16BE(2);
      start = 4;
    }
    if (buffered.length < start + length) return;
    const opcode = buffered[0] & 0x0f;
    const payload = buffered.subarray(start, start + length);
    buffered = buffered.subarray(start + length);
    if (opcode === 8) {
      console.log(`CLOSE ${payload.length >= 2 ? payload.readUInt16BE(0) : 1005}`);
      // The close handshake: the same code back, masked with a zero key.
      socket.end(Buffer.from([0x88, 0x82, 0, 0, 0, 0, payload[0] ?? 3, payload[1] ?? 0xe8]));
    } else if (opcode === 2 && !connected) {
      connected = true;
      console.log("CONNECTED");
      setTimeout(() => socket.write(Buffer.from(hex, "hex")), Number(delay));
    } else if (opcode === 2) console.log(`MESSAGE ${payload[0]}`);
  }
});
socket.on("error", () => {});
socket.on("close", () => process.exit(0));
