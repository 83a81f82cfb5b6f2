import { BlockList, isIP } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIp } from "./ip-address.js";
import { ipAllowed, isIpOrCidr, isLocked } from "./smpp-account.js";

describe("ipAllowed", () => {
  it("allows anyone when the list is empty", () => {
    expect(ipAllowed([], "203.0.113.9")).toBe(true);
    expect(ipAllowed([], "not an ip")).toBe(true);
  });

  it.each([
    [["10.0.0.0/8"], "10.200.3.4", true],
    [["10.0.0.0/8"], "11.0.0.1", false],
    [["10.0.0.0/8"], "::ffff:10.1.2.3", true],
    [["10.0.0.0/8"], "::FFFF:0a01:0203", true],
    [["127.0.0.1"], "::ffff:127.0.0.1", true],
    [["127.0.0.1"], "127.0.0.2", false],
    [["::ffff:192.0.2.0/120"], "192.0.2.77", true],
    [["::ffff:192.0.2.0/120"], "192.0.3.1", false],
    [["2001:db8::/32"], "2001:db8:ffff::1", true],
    [["2001:db8::/32"], "2001:db9::1", false],
    [["2001:db8::1"], "2001:DB8:0:0:0:0:0:1", true],
    [["fe80::/10"], "fe80::1%eth0", true],
    [["0.0.0.0/0"], "::1", false],
    [["::/0"], "::1", true],
    [["10.0.0.5/8"], "10.9.9.9", true],
    [["bogus", "192.0.2.1"], "192.0.2.1", true],
    [["192.0.2.1"], "garbage", false],
  ])("%j allows %s: %s", (list, ip, want) => {
    expect(ipAllowed(list, ip)).toBe(want);
  });
});

describe("isIpOrCidr", () => {
  it.each([
    ["192.0.2.1", true],
    ["192.0.2.0/24", true],
    ["0.0.0.0/0", true],
    ["::", true],
    ["::1/128", true],
    ["2001:db8::/32", true],
    ["1:2:3:4:5:6:7:8", true],
    ["::ffff:1.2.3.4", true],
    ["::ffff:1.2.3.0/120", true],
    ["192.0.2.1/33", false],
    ["192.0.2.1/024", false],
    ["::1/129", false],
    ["::ffff:1.2.3.4/95", false],
    ["01.2.3.4", false],
    ["256.1.1.1", false],
    ["1.2.3", false],
    ["1:2:3:4:5:6:7:8:9", false],
    ["1::2::3", false],
    ["1:2:3:4:5:6:7::8", false],
    ["12345::", false],
    ["fe80::1%eth0", false],
    ["1.2.3.4/8/8", false],
    ["", false],
    ["localhost", false],
  ])("%s: %s", (s, want) => {
    expect(isIpOrCidr(s)).toBe(want);
  });
});

const v4 = fc
  .tuple(...Array.from({ length: 4 }, () => fc.integer({ min: 0, max: 255 })))
  .map((o) => o.join("."));
const v6 = fc.ipV6();

describe("ip parsing against node:net", () => {
  it("accepts exactly the addresses node:net accepts", () => {
    fc.assert(
      fc.property(fc.oneof(v4, v6, fc.string({ maxLength: 20 })), (s) => {
        expect(parseIp(s) !== null).toBe(isIP(s) !== 0);
      }),
    );
  });

  it("matches CIDR blocks as node's BlockList does", () => {
    const v4Block = fc.tuple(v4, fc.integer({ min: 0, max: 32 }));
    const v6Block = fc.tuple(v6, fc.integer({ min: 0, max: 128 }));
    fc.assert(
      fc.property(v4Block, v4, ([net, len], ip) => {
        const bl = new BlockList();
        bl.addSubnet(net, len, "ipv4");
        expect(ipAllowed([`${net}/${len}`], ip)).toBe(bl.check(ip, "ipv4"));
      }),
    );
    fc.assert(
      fc.property(v6Block, v6, ([net, len], ip) => {
        // node's BlockList treats IPv4-mapped addresses as IPv6: keep both sides outside that range
        fc.pre(parseIp(net)?.family === 6 && parseIp(ip)?.family === 6);
        const bl = new BlockList();
        bl.addSubnet(net, len, "ipv6");
        expect(ipAllowed([`${net}/${len}`], ip)).toBe(bl.check(ip, "ipv6"));
      }),
    );
  });
});

describe("isLocked", () => {
  it("is locked strictly before lockedUntil", () => {
    expect(isLocked({ lockedUntil: null }, 5)).toBe(false);
    expect(isLocked({ lockedUntil: 10 }, 9)).toBe(true);
    expect(isLocked({ lockedUntil: 10 }, 10)).toBe(false);
  });
});
