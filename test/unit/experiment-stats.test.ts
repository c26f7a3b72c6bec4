import * as assert from 'assert';
import { parseIperf, parseSockperf } from '../../src/experiment/guest-parse';
import { delta, parseSoftirqs, parseSoftnetDropped, parseStat } from '../../src/experiment/guest-proc';
import { parseTcpExt } from '../../src/experiment/guest-tcpext';
import { median, medianVector, ratio, shares, summarize } from '../../src/experiment/stats';

describe('experiment: stats', () => {
  it('median of odd and even samples, ignoring non-finite values', () => {
    assert.strictEqual(median([3, 1, 2]), 2);
    assert.strictEqual(median([4, 1, 3, 2]), 2.5);
    assert.strictEqual(median([NaN, 5]), 5);
    assert.ok(Number.isNaN(median([])));
  });
  it('summarize gives median and min/max spread', () => {
    assert.deepStrictEqual(summarize([0.5, 2.0, 1.0]), { median: 1, min: 0.5, max: 2, n: 3 });
    assert.strictEqual(summarize([]), undefined);
  });
  it('ratio, shares, medianVector', () => {
    assert.strictEqual(ratio(3, 2), 1.5);
    assert.strictEqual(ratio(3, 0), undefined);
    assert.strictEqual(ratio(undefined, 2), undefined);
    assert.deepStrictEqual(shares([1, 3]), [25, 75]);
    assert.deepStrictEqual(shares([0, 0]), [0, 0]);
    assert.deepStrictEqual(medianVector([[1, 10], [3, 30], [2]]), [2, 10]);
  });
});

describe('experiment: tool output parsers', () => {
  it('/proc/net/netstat TcpExt counters by name; a file without TcpExt is refused', () => {
    const text = [
      'TcpExt: SyncookiesSent TCPOFOQueue TCPSACKReorder',
      'TcpExt: 0 17 3',
      'IpExt: InNoRoutes InTruncatedPkts',
      'IpExt: 0 0',
      '',
    ].join('\n');
    const t = parseTcpExt(text);
    assert.strictEqual(t.get('TCPOFOQueue'), 17);
    assert.strictEqual(t.get('TCPSACKReorder'), 3);
    assert.strictEqual(t.get('InNoRoutes'), undefined);
    assert.throws(() => parseTcpExt('IpExt: a\nIpExt: 1\n'), /no TcpExt section/);
  });
  it('iperf3 -J: receiver goodput, bytes, TCP retransmits, UDP loss and sent rate', () => {
    const tcp = JSON.stringify({ end: { sum_sent: { bits_per_second: 2.1e9, retransmits: 7 }, sum_received: { bits_per_second: 2e9, bytes: 1.25e9 } } });
    assert.deepStrictEqual(parseIperf(tcp, false), { gbps: 2, bytes: 1.25e9, retransmits: 7 });
    const udp = JSON.stringify({ end: { sum_sent: { bits_per_second: 5e8 }, sum_received: { bits_per_second: 4e8, bytes: 1e8, lost_percent: 20 } } });
    assert.deepStrictEqual(parseIperf(udp, true), { gbps: 0.4, bytes: 1e8, sentGbps: 0.5, lossPct: 20 });
    assert.throws(() => parseIperf(JSON.stringify({ error: 'the server is busy running a test' }), false), /iperf3: the server is busy/);
    assert.throws(() => parseIperf('iperf3: error', false), /no JSON report/);
  });
  it('sockperf ping-pong percentiles (colour codes stripped)', () => {
    const out = [
      'sockperf: \x1b[2;35m====> avg-latency=3.524 (std-dev=6.945)\x1b[0m',
      'sockperf: ---> percentile 99.900 =   10.379',
      'sockperf: ---> percentile 99.000 =    6.011',
      'sockperf: ---> percentile 50.000 =    3.357',
    ].join('\n');
    assert.deepStrictEqual(parseSockperf(out), { p50Us: 3.357, p99Us: 6.011, p999Us: 10.379 });
    assert.throws(() => parseSockperf('sockperf: ERROR'), /no percentiles/);
  });
  it('/proc/softirqs NET_RX row and /proc/stat per-CPU times', () => {
    const softirqs = '                    CPU0       CPU1\n          HI:          0          1\n      NET_RX:        120        340\n';
    assert.deepStrictEqual(parseSoftirqs(softirqs), [120, 340]);
    const stat = 'cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 10 0 5 100 7 1 4 0 0 0\ncpu1 1 1 1 200 0 0 9 2 0 0\nintr 1\n';
    assert.deepStrictEqual(parseStat(stat), { softirq: [4, 9], busy: [20, 14] });
    assert.deepStrictEqual(delta([1, 2], [4, 4]), [3, 2]);
  });
  it('/proc/net/softnet_stat backlog drops per CPU, by the CPU column where there is one', () => {
    // 6.1 layout: 13 columns, the last the CPU; CPU 1 offline, so rows are CPUs 0 and 2.
    const row = (dropped: string, cpu: string) => `00001000 ${dropped} 00000003 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 ${cpu}`;
    assert.deepStrictEqual(parseSoftnetDropped(`${row('0000001a', '00000000')}\n${row('00000002', '00000002')}\n`), [26, 0, 2]);
    // Older layout without the CPU column: rows in order.
    assert.deepStrictEqual(parseSoftnetDropped('00000010 00000005 00000000\n00000010 00000000 00000000\n'), [5, 0]);
  });
});
