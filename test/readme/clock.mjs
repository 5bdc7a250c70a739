/**
 * Preloaded (`node --import`) into the CLI when the README's output blocks are made or checked:
 * `Date.now()` and `new Date()` give IMGDIFF_README_NOW (milliseconds) instead of the time of the
 * run. The only things imgdiff prints that depend on the clock are relative times (`inspect`'s
 * CREATED, "3 days ago") and the time `flatten` stamps on directories Docker dates at unpacking;
 * with the clock fixed, the README's blocks are the CLI's exact output on every run, and the
 * widths of the columns around CREATED do not move with the words of the relative time.
 */
const now = Number(process.env.IMGDIFF_README_NOW)
if (Number.isSafeInteger(now) && now > 0) {
  const RealDate = Date
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [now] : args, newTarget),
    apply: () => new RealDate(now).toString(),
    get: (target, key) => (key === 'now' ? () => now : Reflect.get(target, key)),
  })
}
