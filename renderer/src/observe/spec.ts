/**
 * The observation contract as the dashboard receives it (`lab.observation`, `lab.join`): what the
 * loaded protocol measures, its peer states and link kinds, with labels, units and colours (the wire
 * shapes of src/host/lab-group.ts, named for the views). Every label, unit and colour the dashboard
 * shows comes from here, so they are the ones `run` reports and `compare` show.
 */
import type { InspectData, ObservationDataWire } from '../../../src/host/lab-group.js';

export type { InspectSection } from '../../../src/host/lab-group.js';
export type ObservationData = ObservationDataWire;
export type QuantitySpec = ObservationDataWire['series'][number];
export type StateSpec = ObservationDataWire['states'][number];
export type LinkKindSpec = ObservationDataWire['linkKinds'][number];
export type PeerInspection = InspectData;
