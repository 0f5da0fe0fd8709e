/** French labels of the API's enums (the schema carries the values; users read these). */
import type { Schemas } from './api/client';

type Labels<T extends string> = Record<T, string>;

export const STATUS: Labels<Schemas['ReferralStatusEnum']> = {
  new: 'Nouvelle',
  contacted: 'Contactée',
  met: 'Rencontrée',
  oriented: 'Orientée',
  closed: 'Clôturée',
};

/** The colour of a status chip (styles.css .chip-<tone>). */
export const STATUS_TONE: Labels<Schemas['ReferralStatusEnum']> = {
  new: 'new',
  contacted: 'contacted',
  met: 'met',
  oriented: 'oriented',
  closed: 'closed',
};

/** The button that moves a referral to a status. */
export const MOVE_TO: Labels<Schemas['ReferralStatusEnum']> = {
  new: 'Remettre en nouvelle',
  contacted: 'Passer à « contactée »',
  met: 'Passer à « rencontrée »',
  oriented: 'Orienter vers une structure…',
  closed: 'Clôturer…',
};

export const CLOSING_REASON: Labels<Exclude<Schemas['ClosingReasonEnum'], ''>> = {
  accompanied: 'Accompagnée',
  declined: 'A décliné',
  unreachable: 'Injoignable',
  duplicate: 'Doublon',
  out_of_scope: 'Hors champ',
};

export const NEED: Labels<Schemas['NeedsEnum']> = {
  emploi: 'Emploi',
  formation: 'Formation',
  logement: 'Logement',
  sante: 'Santé',
  isolement: 'Isolement',
  mobilite: 'Mobilité',
  handicap: 'Handicap',
  demarches: 'Démarches administratives',
  budget: 'Budget, dettes',
  autre: 'Autre',
};

export const CALL_MOMENT: Labels<Schemas['CallMomentsEnum']> = {
  morning: 'Le matin',
  midday: 'Le midi',
  afternoon: 'L’après-midi',
  evening: 'En fin de journée',
};

export const ATTEMPT_OUTCOME: Labels<Schemas['AttemptOutcomeEnum']> = {
  reached: 'Joint·e',
  no_answer: 'Pas de réponse',
  wrong_number: 'Mauvais numéro',
  message_left: 'Message laissé',
};

export const ATTEMPT_KIND: Labels<Schemas['AttemptKindEnum']> = {
  call: 'Appel',
  sms: 'SMS',
  visit: 'Visite',
};

export const EVENT: Labels<Schemas['ReferralEventOutputKindEnum']> = {
  created: 'Orientation reçue',
  assigned: 'Attribuée',
  unassigned: 'Aucun facilitateur disponible',
  reassigned: 'Réattribuée',
  status_changed: 'Statut modifié',
  contact_attempt: 'Tentative de contact',
  note: 'Note',
  oriented: 'Orientée vers une structure',
  orientation_updated: 'Suite de l’orientation',
  duplicate_flagged: 'Doublon possible',
  contact_corrected: 'Coordonnées corrigées',
  acknowledgment_resent: 'Accusé de réception renvoyé',
  anonymised: 'Données personnelles effacées',
};

export const ORIENTATION_OUTCOME: Labels<Schemas['OrientationOutcomeEnum']> = {
  proposed: 'Proposée',
  accepted: 'Acceptée',
  started: 'Commencée',
  refused: 'Refusée',
};

export const CAPTEUR_KIND: Labels<Schemas['CapteurKindEnum']> = {
  bar_tabac: 'Bar-tabac / PMU',
  commerce: 'Commerce de proximité',
  agence_interim: 'Agence d’intérim',
  agence_immobiliere: 'Agence immobilière',
  association_caritative: 'Association caritative',
  club_sportif: 'Club sportif',
  pharmacie: 'Pharmacie',
  service_public: 'Service public',
  bailleur_social: 'Bailleur social',
  autre: 'Autre',
};

export const STAGE: Labels<Schemas['CapteurStageEnum']> = {
  prospect: 'Prospect',
  partner: 'Partenaire',
  paused: 'En pause',
  withdrawn: 'Retiré',
};

export const ACTIVITY: Labels<Schemas['CapteurActivityEnum']> = {
  new: 'Nouveau',
  active: 'Actif',
  dormant: 'Dormant',
};

export const STRUCTURE_KIND: Labels<Schemas['StructureKindEnum']> = {
  mission_locale: 'Mission locale',
  france_travail: 'France Travail',
  cap_emploi: 'Cap emploi',
  plie: 'PLIE',
  ccas: 'CCAS / CIAS',
  cmp: 'Centre médico-psychologique (CMP)',
  caf: 'CAF',
  cpam: 'CPAM',
  departement: 'Services sociaux du Département',
  france_services: 'France services',
  association: 'Association',
  autre: 'Autre',
};

export const VISIT_KIND: Labels<Schemas['VisitKindEnum']> = {
  prospection: 'Prospection',
  onboarding: 'Accueil d’un nouveau partenaire',
  follow_up: 'Suivi',
  restock: 'Réassort (affiches, cartes)',
};

export const VISIT_STATUS: Labels<Schemas['VisitStatusEnum']> = {
  planned: 'Prévue',
  done: 'Faite',
  cancelled: 'Annulée',
};

export function labelOf<T extends string>(labels: Labels<T>, value: unknown): string {
  return typeof value === 'string' && value in labels ? labels[value as T] : String(value ?? '');
}

export function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
