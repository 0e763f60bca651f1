// ARM-shaped errors: every refusal is {error:{code,message}} with a 4xx status; 5xx only for injected faults or lab bugs.
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const badRequest = (code: string, message: string): ArmError => new ArmError(400, code, message);
export const notFound = (code: string, message: string): ArmError => new ArmError(404, code, message);
export const conflict = (code: string, message: string): ArmError => new ArmError(409, code, message);
