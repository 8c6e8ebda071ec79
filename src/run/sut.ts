/**
 * What a run puts under test: a server plug-in, or a configuration of the built-in router
 * (a mode with flags), which becomes the router's plug-in — through the same seam, no other path.
 */
import { isServerPlugin, type ServerPlugin } from '../ports/server.ts';
import type { RouterConfig } from '../sut/router/flags.ts';
import { routerServer } from '../sut/router/plugin.ts';
import { isOwnServerSource, type OwnServerSource } from '../host/own-server.ts';

/** A plug-in, a built-in router configuration, or a team's own unmodified server file. */
export type SystemUnderTest = ServerPlugin | RouterConfig | OwnServerSource;

export function serverPluginOf(sut: ServerPlugin | RouterConfig): ServerPlugin {
  return isServerPlugin(sut) ? sut : routerServer(sut);
}

export { isOwnServerSource };
