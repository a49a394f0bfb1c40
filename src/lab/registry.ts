/**
 * The protocols a scenario can name in `protocol.type`, each a ProtocolDriver from its own folder.
 * The dashboard lists these; parseScenario validates against them.
 */
import type { ProtocolDriver } from '../protocols/driver.js';

export const drivers: Record<string, ProtocolDriver> = {};
