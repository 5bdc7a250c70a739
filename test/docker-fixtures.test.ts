/**
 * The fixtures a real Docker 20.10 engine wrote, against what that engine said about them
 * (fixtures/docker-says.json: `docker image inspect`, `docker history`, `docker load`).
 */
import {describe, expect, it} from 'vitest'
import {fixture, runCached, runJson} from './helpers/cli.js'
import {CONFIG_FIELDS, asDocker, dockerSays, type DockerImage} from './helpers/fixtures.js'

const says = dockerSays()

function checkImage(img: any, want: DockerImage, label: string): void {
  expect(img, `${label}: no such image in imgdiff's output`).toBeDefined()
  expect(img.kind, `${label} kind`).toBe('image')
  expect(img.imageId, `${label} image id`).toBe(want.id)
  expect(img.repoTags, `${label} repoTags`).toEqual(want.repoTags)
  expect(img.layers.map((l: {diffId: string}) => l.diffId), `${label} diff_ids`).toEqual(want.diffIds)
  expect(img.history.length, `${label} history length`).toBe(want.history)
  expect(img.history.filter((h: {emptyLayer: boolean}) => !h.emptyLayer).length, `${label} non-empty history`).toBe(want.historyNonEmpty)
  expect(img.history.map((h: {createdBy: string | null}) => h.createdBy), `${label} created_by (docker history)`).toEqual(want.historyCreatedBy)
  const cfg = (img.config?.config ?? {}) as Record<string, unknown>
  for (const field of CONFIG_FIELDS) expect(asDocker(cfg[field]), `${label} config.${field}`).toEqual(want.config[field])
}

describe('docker save archives against docker image inspect / docker history', () => {
  const names = ['busybox', 'busybox-1', 'busybox-1-imported', 'multistep']

  it('docker-says.json describes every image this suite checks', () => {
    for (const n of names) expect(says.images[n], n).toBeDefined()
  })

  for (const name of names) {
    it(`${says.images[name]?.saveFile ?? name}: id, tags, diff_ids, history, config`, async () => {
      const want = says.images[name]
      const {images} = await runJson<{images: any[]}>(['inspect', '--json', fixture(want.saveFile)])
      expect(images).toHaveLength(1)
      checkImage(images[0], want, name)
    })
  }

  it('busybox-multi.save.tar (docker save busybox busybox-1) holds both images, as docker load said', async () => {
    const {images} = await runJson<{images: any[]}>(['inspect', '--json', fixture('busybox-multi.save.tar')])
    expect(images).toHaveLength(2)
    for (const name of ['busybox', 'busybox-1']) {
      const want = says.images[name]
      checkImage(images.find((img) => img.repoTags.includes(want.repoTags[0])), want, `busybox-multi ${name}`)
    }
  })

  for (const [wanted, name] of [
    ['busybox-1:latest', 'busybox-1'],
    ['busybox', 'busybox'],
    ['2', 'busybox-1'],
    ['ID', 'busybox-1'],
  ] as const) {
    it(`diff --image ${wanted} picks ${name} out of busybox-multi.save.tar`, async () => {
      const want = says.images[name]
      const image = wanted === 'ID' ? want.id.slice('sha256:'.length, 'sha256:'.length + 12) : wanted
      const r = await runJson(['diff', '--json', '--image', image, fixture('busybox-multi.save.tar'), fixture(want.saveFile)])
      expect(r.a.imageId).toBe(want.id)
      expect(r.a.repoTags).toContain(want.repoTags[0])
      expect(r.a.layers.map((l: {diffId: string}) => l.diffId)).toEqual(want.diffIds)
      expect(r.summary.identical).toBe(true)
    })
  }

  it('busybox-multi.save.tar vs an export without --image: exit 2, the message lists both tags', async () => {
    const r = await runCached([fixture('busybox-multi.save.tar'), fixture('busybox-1.export.tar')])
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).not.toMatch(/^\s+at /m)
    expect(r.stderr).toContain('busybox:latest')
    expect(r.stderr).toContain('busybox-1:latest')
    expect(r.stdout).toBe('')
  })

  it('busybox-multi.save.tar --image busybox-1:latest vs the export of busybox-1 works', async () => {
    const args = [fixture('busybox-multi.save.tar'), fixture('busybox-1.export.tar'), '--image', 'busybox-1:latest']
    const r = await runCached([...args, '--json'])
    expect(r.code, `exit ${r.code}, stderr: ${r.stderr}`).toBe(0)
    const d = JSON.parse(r.stdout)
    expect(d.a.imageId).toBe(says.images['busybox-1'].id)
    expect(d.b.kind).toBe('export')
    expect(d.summary.identical).toBe(true)
  })

  it('an export\'s diff_id is what `docker import` of it recorded (busybox-1-imported)', async () => {
    const {images} = await runJson<{images: any[]}>(['inspect', '--json', fixture('busybox-1.export.tar')])
    expect(images).toHaveLength(1)
    expect(images[0].kind).toBe('export')
    expect(images[0].layers.map((l: {diffId: string}) => l.diffId)).toEqual(says.images['busybox-1-imported'].diffIds)
  })

  describe('every archive docker load accepted gives the same name:tag -> id', () => {
    for (const [file, load] of Object.entries(says.dockerLoad)) {
      if (typeof load !== 'object' || !load.ok) continue
      it(file, async () => {
        const {images} = await runJson<{images: any[]}>(['inspect', '--json', fixture(file)])
        const got: Record<string, string> = {}
        for (const img of images) for (const tag of img.repoTags) got[tag] = img.imageId
        expect(got).toEqual(load.images)
      })
    }
  })
})
