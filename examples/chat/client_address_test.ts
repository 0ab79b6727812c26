// The address the chat's login limit counts by: a port or a new IPv6 address of the same /64
// does not give a client a fresh limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { clientAddress } from "./client_address.ts";

test("the port does not count; an IPv6 address counts as its /64", () => {
  const cases: [string, string | null][] = [
    ["127.0.0.1:5000", "127.0.0.1"],
    ["127.0.0.1:", "127.0.0.1"],
    ["", null],
    ["[2001:db8:aa:bb:1:2:3:4]:443", "2001:db8:aa:bb::/64"],
    ["[2001:DB8:AA:BB:ffff:ffff:ffff:ffff]:1", "2001:db8:aa:bb::/64"],
    ["[2001:0db8:00aa::1]:443", "2001:db8:aa:0::/64"],
    ["[2001:db8::]:443", "2001:db8:0:0::/64"],
    ["[::1]:8000", "0:0:0:0::/64"],
    ["[fe80::1%eth0]:8000", "fe80:0:0:0::/64"],
    ["[::ffff:192.0.2.1]:8000", "192.0.2.1"],
    ["[64:ff9b::192.0.2.1]:8000", "64:ff9b:0:0::/64"],
  ];
  for (const [remote, expected] of cases) assert.equal(clientAddress(remote), expected, remote);
});
