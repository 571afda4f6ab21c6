/** What the global setup hands to the workerd tests (see global-setup.ts). */
declare module "vitest" {
  export interface ProvidedContext {
    emulatorUrl: string;
    notificationSinkUrl: string;
  }
}

export {};
