import {type DiffResult} from '../../compare/diff.js'
import {measureEfficiency} from '../../compare/efficiency.js'
import {type Image} from '../../image/model.js'
import {diffReportData, imageReportData, type ReportData} from './data.js'
import {renderReportPage} from './page.js'

/**
 * The HTML report, one self-contained file (see page.ts):
 *   diffReport({a, b}, result, patches?)  for two archives: from the diff's result (compareImages)
 *   imageReport(image)                    for one archive: dive's view of its layers and wasted bytes
 * Each returns the page and the data it shows (also embedded in the page as JSON).
 */
export interface Report {
  html: string
  data: ReportData
}

export function diffReport(images: {a: Image; b: Image}, result: DiffResult, patches?: Map<string, string>): Report {
  const data = diffReportData(images, result, patches)
  return {html: renderReportPage(data), data}
}

export function imageReport(image: Image): Report {
  const {efficiency, fs, changes} = measureEfficiency(image, {changes: true})
  const data = imageReportData(image, efficiency, changes, fs)
  return {html: renderReportPage(data), data}
}

export {type ReportData} from './data.js'
