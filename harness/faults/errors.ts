import { ReboundError } from '../errors.js';

/** A fault could not be injected (no candidate, an API error, a provider that cannot do it): an ERROR verdict. */
export class FaultError extends ReboundError {}
