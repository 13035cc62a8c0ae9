import { expect } from 'chai';
import { AggregatorRegistry, Registry } from 'prom-client';
import { HistogramSlots, Slots, type SlotMetric } from '../../src/metrics/slots';

type PromMetric = Parameters<Registry['registerMetric']>[0];
const registryOf = (...metrics: SlotMetric[]) => {
  const r = new Registry();
  for (const m of metrics) r.registerMetric(m as unknown as PromMetric);
  return r;
};

describe('metric slots', () => {
  const counter = () => new Slots('t_ops_total', 'ops', 'counter', [{ op: 'bind' }, { op: 'search' }]);
  const histogram = () => new HistogramSlots('t_seconds', 'latency', [{ op: 'bind' }, { op: 'search' }], [0.25, 1]);

  it('a registry writes them in the Prometheus text format; slots never counted are left out', async () => {
    const c = counter();
    const h = histogram();
    c.inc(1);
    c.inc(1);
    h.observe(0, 0.125);
    h.observe(0, 0.5);
    h.observe(0, 4);
    h.observe(0, 1);
    const text = await registryOf(c, h).metrics();
    expect(text).to.equal(
      [
        '# HELP t_ops_total ops',
        '# TYPE t_ops_total counter',
        't_ops_total{op="search"} 2',
        '',
        '# HELP t_seconds latency',
        '# TYPE t_seconds histogram',
        't_seconds_bucket{op="bind",le="0.25"} 1',
        't_seconds_bucket{op="bind",le="1"} 3',
        't_seconds_bucket{op="bind",le="+Inf"} 4',
        't_seconds_sum{op="bind"} 5.625',
        't_seconds_count{op="bind"} 4',
        '',
      ].join('\n'),
    );
  });

  it("the primary sums the workers' slots, bucket by bucket", async () => {
    const worker = async (n: number) => {
      const c = counter();
      const h = histogram();
      c.inc(0, n);
      for (let i = 0; i < n; i++) h.observe(1, 0.5);
      return registryOf(c, h).getMetricsAsJSON();
    };
    const text = await AggregatorRegistry.aggregate([await worker(2), await worker(3)]).metrics();
    expect(text).to.include('t_ops_total{op="bind"} 5\n');
    expect(text).to.include('t_seconds_bucket{op="search",le="0.25"} 0\n');
    expect(text).to.include('t_seconds_bucket{op="search",le="1"} 5\n');
    expect(text).to.include('t_seconds_count{op="search"} 5');
  });

  it('an always-shown gauge reads 0 before anything happens, and goes down as well as up', async () => {
    const g = new Slots('t_open', 'open', 'gauge', [{}], true);
    expect(await registryOf(g).metrics()).to.include('\nt_open 0\n');
    g.inc(0);
    g.inc(0);
    g.inc(0, -1);
    expect(await registryOf(g).metrics()).to.include('\nt_open 1\n');
  });
});
