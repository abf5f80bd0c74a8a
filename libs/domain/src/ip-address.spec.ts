import { isIpAddress, isIpv4Address, isIpv6Address } from './ip-address';

describe('ip addresses', () => {
  it.each(['127.0.0.1', '0.0.0.0', '255.255.255.255', '198.51.100.3'])('accepts IPv4 %s', (text) => {
    expect(isIpv4Address(text)).toBe(true);
    expect(isIpAddress(text)).toBe(true);
  });

  it.each(['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', 'a.b.c.d', '', ' 1.2.3.4'])('rejects IPv4 %j', (text) => {
    expect(isIpv4Address(text)).toBe(false);
  });

  it.each(['::', '::1', '1::', 'fe80::1', '2001:db8:0:0:0:0:2:1', '2001:DB8::2:1', '1:2:3:4:5:6:7::', '::ffff:192.0.2.1', '1:2:3:4:5:6:1.2.3.4'])(
    'accepts IPv6 %s',
    (text) => {
      expect(isIpv6Address(text)).toBe(true);
      expect(isIpAddress(text)).toBe(true);
    },
  );

  it.each([':::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '1::2::3', '12345::', 'g::1', ':1', '1.2.3.4::', '::1.2.3', '1:2:3:4:5:6:7:8::', '[::1]'])(
    'rejects IPv6 %j',
    (text) => {
      expect(isIpv6Address(text)).toBe(false);
    },
  );

  it('rejects host names and garbage', () => {
    expect(isIpAddress('foobar')).toBe(false);
    expect(isIpAddress('localhost')).toBe(false);
  });
});
