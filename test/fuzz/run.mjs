// Long local fuzzing: npm run fuzz -- --count 100000 [--seed N]
import {fuzz} from './fuzz-core.mjs'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const count = arg('count', 10_000)
const seed = arg('seed', Date.now() % 2 ** 31)
const started = Date.now()
const {failures, counts} = await fuzz({seed, count, onCase: (i) => i % 500 === 0 && process.stderr.write(`\r${i}/${count}`)})
process.stderr.write('\n')
console.log(`seed ${seed}: ${count} cases in ${((Date.now() - started) / 1000).toFixed(1)} s`, counts)
for (const f of failures.slice(0, 50)) console.log(JSON.stringify(f))
console.log(`${count - failures.length} passed, ${failures.length} failed`)
process.exit(failures.length > 0 ? 1 : 0)
