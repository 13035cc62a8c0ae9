/** A progress line on a terminal, redrawn at most every 1%. */
export function progress(total: number) {
  if (!process.stderr.isTTY || total < 200) return { tick: (_n: number) => undefined, done: () => undefined };
  let shown = -1;
  return {
    tick: (n: number) => {
      const pct = Math.floor((n / total) * 100);
      if (pct === shown) return;
      shown = pct;
      const bar = '#'.repeat(Math.floor(pct / 2.5)).padEnd(40, '.');
      process.stderr.write(`\r[${bar}] ${pct}% ${n}/${total}`);
    },
    done: () => process.stderr.write('\n'),
  };
}
