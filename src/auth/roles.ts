// The app roles live with the decisions that use them (src/domain/roles.ts).
export { ROLES, type Role } from "../domain/roles";
