import {Args, Flags} from '@oclif/core'
import {ImgdiffCommand, readFlags} from '../cli/base-command.js'
import {stepsOf} from '../image/steps.js'
import {summarize} from '../image/summary.js'
import {renderInspect} from '../render/inspect-text.js'
import {CI_RULE_KEYS, evaluateCi, loadCiRules} from '../compare/dive-ci.js'
import {efficiencyOf} from '../compare/efficiency.js'
import {renderCi, renderEfficiency} from '../render/efficiency-text.js'

export default class Inspect extends ImgdiffCommand {
  static summary = 'Show an archive\'s images: a header, the config, `docker history`-style steps, the layers.'

  static description = `The history table is docker history's: newest step first, with the image id Docker shows for each step (<missing> where Docker shows none), how long ago, the command and its size. STEP numbers and IMAGE ids work with \`imgdiff rollback --to\`. Rows fit the terminal's width; --no-trunc shows everything whole.
--efficiency adds dive's figures (computed as dive 0.12 computes them: efficiency score, wasted bytes, user wasted percent, the inefficient paths) and imgdiff's exact one: the bytes in layers that the final filesystem does not show. --ci checks dive's CI rules (lowestEfficiency, highestWastedBytes, highestUserWastedPercent; from ./.dive-ci, --ci-config FILE, or the flags) and exits 1 when one fails: a drop-in for \`dive --ci\`, on every archive shape imgdiff reads.`

  static examples = [
    '<%= config.bin %> inspect busybox-1.save.tar',
    '<%= config.bin %> inspect app.tar --efficiency',
    '<%= config.bin %> inspect app.tar --ci --ci-config .dive-ci',
    '<%= config.bin %> inspect app.oci.tar --platform linux/arm64',
    '<%= config.bin %> inspect image.tar --json | jq -r ".images[0].layers[].diffId"',
  ]

  static args = {archive: Args.string({description: 'archive to read', required: true})}

  static flags = {
    ...readFlags,
    'no-trunc': Flags.boolean({description: 'Do not cut CREATED BY or ids; show times as recorded (RFC 3339).'}),
    efficiency: Flags.boolean({description: "Add dive's efficiency figures and the bytes hidden by later layers."}),
    ci: Flags.boolean({description: "Check dive's CI rules; exit 1 when one fails."}),
    'ci-config': Flags.string({description: 'The .dive-ci file with the rules (default: ./.dive-ci when it exists, else dive\'s defaults).', dependsOn: ['ci']}),
    lowestEfficiency: Flags.string({description: 'CI rule: the lowest efficiency score allowed (0..1, or "disabled").', dependsOn: ['ci']}),
    highestWastedBytes: Flags.string({description: 'CI rule: the most wasted bytes allowed (e.g. 20MB, or "disabled").', dependsOn: ['ci']}),
    highestUserWastedPercent: Flags.string({description: 'CI rule: the highest share of wasted user bytes allowed (0..1, or "disabled").', dependsOn: ['ci']}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Inspect)
    const overrides = Object.fromEntries(CI_RULE_KEYS.flatMap((k) => (flags[k] === undefined ? [] : [[k, flags[k]!]])))
    // The rules are read first: a mistake in them costs no archive read.
    const rules = flags.ci ? await loadCiRules(flags['ci-config'], overrides) : null
    // File contents matter only to the efficiency figures (a duplicate is the same content twice).
    const [images] = await this.readArchives([args.archive], flags, {contents: Boolean(flags.efficiency || rules)})
    const chosen = flags.image ? [this.pick(images, flags.image, args.archive)] : images
    const measured = chosen.map((img) => (flags.efficiency || rules ? efficiencyOf(img) : null))
    const results = measured.map((e) => (e && rules ? evaluateCi(e, rules) : null))
    const data = {
      images: chosen.map((img, i) => ({
        ...summarize(img),
        steps: stepsOf(img),
        ...(measured[i] ? {efficiency: measured[i]} : {}),
        ...(results[i] ? {ci: results[i]} : {}),
      })),
    }
    const style = this.styleOf(flags)
    this.print(flags.json, data, () =>
      data.images
        .map((s, i) => {
          const parts = [renderInspect(s, s.steps, style, {noTrunc: flags['no-trunc']})]
          if (flags.efficiency && measured[i]) parts.push(renderEfficiency(measured[i]!, {style}))
          if (results[i]) parts.push(renderCi(measured[i]!, results[i]!, {style}))
          return parts.join('\n\n')
        })
        .join('\n\n'),
    )
    if (results.some((r) => r && !r.pass)) this.exit(1)
  }
}
