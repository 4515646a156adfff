import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { DashboardConfig } from '../../src/wire-types.js';

export const ConfigContext = createContext<DashboardConfig>({ title: 'Celeriac', readOnly: true, refreshInterval: 2_000 });

/** What the server said of this dashboard: its title, whether it is read-only. */
export const useConfig = () => useContext(ConfigContext);
