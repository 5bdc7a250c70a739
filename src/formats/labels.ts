/** What each archive shape is called in what imgdiff prints (the JSON keeps the short names). */
const LABELS: Record<string, string> = {
  'docker-save': 'docker save',
  'docker-save+oci': 'docker save with an OCI layout (Docker 25+)',
  'docker-save-legacy-v1': 'docker save, legacy v1 (before Docker 1.10)',
  'oci-layout': 'OCI archive',
  'skopeo-dir': "skopeo's dir: layout",
  'container-export': 'container export',
  'layer-tar': 'layer tar',
}

/** `directory`: the image was read from a directory (an OCI layout is then no archive). */
export function formatLabel(format: string, directory = false): string {
  if (!directory) return LABELS[format] ?? format
  return format === 'oci-layout' ? 'OCI layout directory' : `${LABELS[format] ?? format}, as a directory`
}
