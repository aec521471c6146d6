export {
  defaultProfile,
  startSimulator,
  type Simulator,
  type SimulatorFault,
  type SimulatorOptions,
  type SimulatorProfile,
  type SimulatorStats,
} from "./server";
