/**
 * The model's view of archives other tools wrote (../shared/fixtures/compat: bazel, kaniko,
 * skopeo-style, OCI, Docker 25) held to what skopeo, an independent reader, said about each
 * (skopeo-says.json): the layers and their chain, the history and which steps made layers, the
 * runtime config. The reading itself is src/formats'; what is judged here is src/image's summary,
 * history, ids and steps built from it.
 */
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {layerOfStep} from '../../src/image/history.js'
import {runtimeConfig} from '../../src/image/model.js'
import {stepsOf} from '../../src/image/steps.js'
import {summarize} from '../../src/image/summary.js'
import {type SkopeoImage} from '../helpers/fixtures.js'
import {chainOf, COMPAT, readImages, readJson} from './support.js'


const says = COMPAT ? readJson<Record<string, {images: SkopeoImage[]}>>(path.join(COMPAT, 'skopeo-says.json')) : {}
/** skopeo prints Go values: an absent field and an empty list both come out null. */
const asGo = (v: unknown) => (v === undefined || (Array.isArray(v) && v.length === 0) ? null : v)

describe.skipIf(COMPAT === null)('what skopeo said of other tools\' archives', () => {
  for (const [file, said] of Object.entries(says)) {
    if (said.images.length === 0) continue
    it(file, async () => {
      const images = await readImages(path.join(COMPAT!, file))
      expect(images.length).toBe(said.images.length)
      for (const [i, want] of said.images.entries()) {
        const image = images[i]
        const s = summarize(image)
        expect(s.layers.map((l) => l.diffId), `image ${i + 1}`).toEqual(want.diffIds)
        expect(s.layers.map((l) => l.chainId)).toEqual(chainOf(want.diffIds))
        expect(s.history.length).toBe(want.history)
        expect(s.history.filter((h) => !h.emptyLayer).length).toBe(want.historyNonEmpty)
        expect(layerOfStep(image.history, image.layers.length).filter((l) => l !== null).length).toBe(want.historyNonEmpty)
        const steps = stepsOf(image)
        expect(steps.length).toBe(want.history)
        expect(steps.at(-1)!.layersSoFar).toBe(want.diffIds.length)
        expect(steps.filter((st) => st.diffId !== null).map((st) => st.diffId)).toEqual(want.diffIds)
        const config = runtimeConfig(image)
        expect({env: asGo(config.Env), cmd: asGo(config.Cmd), entrypoint: asGo(config.Entrypoint)}).toEqual({env: want.env, cmd: want.cmd, entrypoint: want.entrypoint})
      }
    })
  }
})
