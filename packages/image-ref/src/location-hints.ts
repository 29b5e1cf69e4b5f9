import { closestMatch } from '@ar/errors';
import { quote } from './display.js';
import {
  AR_LOCATION_ALIASES,
  AR_MULTI_REGIONS,
  AR_REGIONAL_ENDPOINT_LOCATIONS,
  AR_REGIONS,
} from './locations.js';

const KNOWN_LOCATIONS: ReadonlySet<string> = new Set([...AR_MULTI_REGIONS, ...AR_REGIONS]);
const REGIONAL_ENDPOINTS: ReadonlySet<string> = new Set(AR_REGIONAL_ENDPOINT_LOCATIONS);

/** Longer names are not worth comparing: no location comes close, and the cost grows with length. */
const MAX_COMPARED_LENGTH = 40;
const MAX_SUGGESTION_DISTANCE = 2;

export type ArImageRefWarningCode =
  | 'AR_IMAGE_REF_UNKNOWN_LOCATION'
  | 'AR_IMAGE_REF_UNKNOWN_REGIONAL_ENDPOINT';

/** Something worth telling a person that does not stop the reference from being used. */
export interface ArImageRefWarning {
  readonly code: ArImageRefWarningCode;
  readonly message: string;
  readonly location: string;
  /** The known location the input most likely meant, when one is close. */
  readonly suggestion?: string;
}

/** True for a location in the known list (multi-regions and regions). */
export function isKnownArLocation(location: string): boolean {
  return KNOWN_LOCATIONS.has(location);
}

/** The known location closest to `location` (within two edits, or a common alias), if any. */
export function suggestArLocation(location: string): string | undefined {
  const alias = AR_LOCATION_ALIASES.get(location);
  if (alias !== undefined) return alias;
  if (location.length > MAX_COMPARED_LENGTH) return undefined;
  return closestMatch(location, KNOWN_LOCATIONS, { maxDistance: MAX_SUGGESTION_DISTANCE });
}

/** Warnings about a syntactically valid location that the known list does not have. */
export function locationWarnings(location: string, regionalEndpoint: boolean): ArImageRefWarning[] {
  if (!isKnownArLocation(location)) {
    const suggestion = suggestArLocation(location);
    const hint = suggestion === undefined ? '' : ` (did you mean ${quote(suggestion)}?)`;
    const warning: ArImageRefWarning = {
      code: 'AR_IMAGE_REF_UNKNOWN_LOCATION',
      location,
      message: `Unknown Artifact Registry location ${quote(location)}${hint}; kept as written, see "gcloud artifacts locations list"`,
    };
    return [suggestion === undefined ? warning : { ...warning, suggestion }];
  }
  if (regionalEndpoint && !REGIONAL_ENDPOINTS.has(location)) {
    return [
      {
        code: 'AR_IMAGE_REF_UNKNOWN_REGIONAL_ENDPOINT',
        location,
        message: `No regional endpoint is known for ${quote(location)}; the usual host is "${location}-docker.pkg.dev"`,
      },
    ];
  }
  return [];
}
