import { describe, expect, it } from 'vitest';
import { addressVerdict, literalHostVerdict } from '../../src/media/address-policy.js';

/** Pure: the address ranges a media URL may never reach (issue 16 §3). */
describe('addressVerdict', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['169.254.10.10', 'link-local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    // IPv4 hidden in IPv6 reaches the IPv4 host
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['2002:a00:1::', 'private'],
    ['[::1]', 'loopback'],
    ['not-an-ip', 'reserved'],
  ])('%s is refused as %s', (ip, range) => {
    expect(addressVerdict(ip)).toEqual({ allowed: false, range });
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('%s is allowed', (ip) => {
    expect(addressVerdict(ip)).toEqual({ allowed: true });
  });
});

describe('literalHostVerdict', () => {
  it('judges literal addresses and loopback names; leaves other names to DNS', () => {
    expect(literalHostVerdict('127.0.0.1')).toEqual({ allowed: false, range: 'loopback' });
    expect(literalHostVerdict('[::1]')).toEqual({ allowed: false, range: 'loopback' });
    expect(literalHostVerdict('LOCALHOST')).toEqual({ allowed: false, range: 'loopback' });
    expect(literalHostVerdict('api.localhost.')).toEqual({ allowed: false, range: 'loopback' });
    expect(literalHostVerdict('8.8.8.8')).toEqual({ allowed: true });
    expect(literalHostVerdict('cdn.example.com')).toBeUndefined();
  });
});
