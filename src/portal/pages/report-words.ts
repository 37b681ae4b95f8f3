import { html } from 'hono/html';
import type { Language } from '../../reporting/index.ts';

/** The words of the report form, receipt, status page and refusals, in both languages. */
export const reportWords = {
  en: {
    switchTo: 'Nederlands',
    formTitle: 'Report a vulnerability or compromised system',
    formIntro:
      'Found a vulnerable or compromised system? Tell us here. We assess every report by our published framework and warn the organisations that must act. You may report anonymously.',
    formNoJs: 'This form works without JavaScript and can be used with the keyboard alone.',
    required: 'required',
    optional: 'optional',
    errorSummary: 'There is a problem with your report',
    errorPrefix: 'Error:',
    type: 'Kind of problem',
    typeHint: 'Choose the type that fits best (ENISA RSIT taxonomy). Not sure? Choose "undetermined".',
    typeChoose: 'Choose…',
    targets: 'Affected systems',
    targetsHint:
      'IP addresses, networks (CIDR), domain names or URLs, one per line. Defanged values (hxxp, [.]) are fine.',
    description: 'Description',
    descriptionHint: 'What did you find, and why is it a problem? Text only; at most 20,000 characters.',
    steps: 'Steps to reproduce',
    stepsHint: 'How can we check it? Without evidence or steps an analyst verifies the report first.',
    observedAt: 'Time observed (UTC)',
    observedAtHint: 'When you saw it, e.g. 2026-11-30 14:05.',
    attachments: 'Evidence',
    attachmentsHint:
      'Up to 5 files of at most 10 MB each: txt, log, csv, json, png, jpg, pdf or zip. Files are checked by their content.',
    estimate: 'Your estimate of likelihood and damage',
    estimateHint:
      'Optional: answer all questions of a part, or none. We use the answers as the NCSC likelihood/damage matrix does (see the framework).',
    likelihood: 'Likelihood of misuse: how far do you agree?',
    damage: 'Damage misuse could do',
    noAnswer: '— no answer —',
    tlp: 'Requested TLP',
    tlpHint:
      'How widely we may share your report (TLP 2.0). We never share more widely than you ask; we may share less.',
    tlpLabels: {
      CLEAR: 'TLP:CLEAR – may be public',
      GREEN: 'TLP:GREEN – the security community',
      AMBER: 'TLP:AMBER – the organisation and those who must help it',
      'AMBER+STRICT': 'TLP:AMBER+STRICT – the organisation only',
      RED: 'TLP:RED – named recipients only',
    },
    contact: 'Contact details',
    contactHint:
      'Optional. With an e-mail address we acknowledge your report and can ask questions; without it the report is anonymous.',
    name: 'Name',
    email: 'E-mail address',
    pgpKey: 'Your OpenPGP public key',
    pgpKeyHint: 'Optional: we then encrypt our mail to you. Paste the armored public key.',
    consent: 'I have read the disclosure policy and agree to it.',
    consentLink: 'Read the disclosure policy',
    submit: 'Send report',
    receiptTitle: 'Report received',
    receiptIntro: 'Thank you. Your report has been received under this tracking id:',
    receiptLink:
      'Keep this link to follow your report, add information and read our messages. It is shown only now (and in the acknowledgement mail): anyone who has it can see the status.',
    receiptMail: 'We sent an acknowledgement to your e-mail address.',
    receiptAnonymous: 'You reported anonymously: this link is the only way to follow the report.',
    statusTitle: 'Status of report',
    stages: {
      received: 'Received',
      assessed: 'Assessed',
      warned: 'Organisations warned',
      resolved: 'Resolved',
    },
    stageDone: 'done',
    stageCurrent: 'current step',
    stagePending: 'not yet',
    failed:
      'Your report could not be processed automatically. An analyst looks at it; you need not send it again.',
    decisions: 'Assessment',
    decisionNames: {
      notify: 'the owner is warned',
      review: 'an analyst reviews it',
      inform: 'recorded, nobody is warned',
      reject: 'not taken up',
    },
    reasons: 'Reasons',
    analystReason: 'An analyst reviewed the assessment.',
    warnedCount: (n: number) => (n === 1 ? '1 organisation warned' : `${n} organisations warned`),
    resolvedCount: (r: number, t: number) => `${r} of ${t} warnings resolved`,
    systems: 'Systems',
    yourReport: 'Your report',
    messages: 'Messages',
    noMessages: 'No messages yet.',
    fromAnalyst: 'From us',
    fromReporter: 'From you',
    addInfo: 'Add information',
    addInfoHint: 'Text only; at most 10,000 characters. Analysts see it with your report.',
    addInfoSubmit: 'Send',
    added: 'Your information has been added.',
    forbiddenTitle: 'Request refused',
    forbidden:
      'This form could not be accepted: its security token is missing or not valid (it may have expired, or cookies are blocked). Open the form again and resend; nothing was stored.',
    tooManyTitle: 'Too many reports',
    tooMany: (minutes: number) =>
      `This address has sent the most reports we accept in one hour. Try again in about ${minutes} minutes. Urgent? Say so in the report when you send it.`,
    tooLargeTitle: 'Too large',
    tooLarge: 'The form is larger than we accept (at most 5 files of 10 MB). Nothing was stored.',
    notFoundTitle: 'No such report',
    notFound: 'This status link is not known. Check that you copied it completely.',
    backToForm: 'Back to the report form',
  },
  nl: {
    switchTo: 'English',
    formTitle: 'Meld een kwetsbaarheid of gecompromitteerd systeem',
    formIntro:
      'Een kwetsbaar of gecompromitteerd systeem gevonden? Meld het hier. We beoordelen elke melding volgens ons gepubliceerde kader en waarschuwen de organisaties die moeten handelen. U mag anoniem melden.',
    formNoJs: 'Dit formulier werkt zonder JavaScript en is met alleen het toetsenbord te gebruiken.',
    required: 'verplicht',
    optional: 'niet verplicht',
    errorSummary: 'Er is een probleem met uw melding',
    errorPrefix: 'Fout:',
    type: 'Soort probleem',
    typeHint: 'Kies het type dat het best past (ENISA RSIT-taxonomie). Twijfelt u? Kies "undetermined".',
    typeChoose: 'Kies…',
    targets: 'Getroffen systemen',
    targetsHint:
      'IP-adressen, netwerken (CIDR), domeinnamen of URL’s, één per regel. Onschadelijk gemaakte waarden (hxxp, [.]) mogen.',
    description: 'Beschrijving',
    descriptionHint:
      'Wat hebt u gevonden, en waarom is het een probleem? Alleen tekst; hoogstens 20.000 tekens.',
    steps: 'Stappen om het na te gaan',
    stepsHint:
      'Hoe kunnen wij het controleren? Zonder bewijs of stappen controleert eerst een analist de melding.',
    observedAt: 'Tijdstip van waarneming (UTC)',
    observedAtHint: 'Wanneer u het zag, bijvoorbeeld 2026-11-30 14:05.',
    attachments: 'Bewijs',
    attachmentsHint:
      'Hoogstens 5 bestanden van elk hoogstens 10 MB: txt, log, csv, json, png, jpg, pdf of zip. Bestanden worden op hun inhoud gecontroleerd.',
    estimate: 'Uw inschatting van kans en schade',
    estimateHint:
      'Niet verplicht: beantwoord alle vragen van een deel, of geen. We gebruiken de antwoorden zoals de kans/schade-matrix van het NCSC (zie het kader).',
    likelihood: 'Kans op misbruik: in hoeverre bent u het eens?',
    damage: 'Schade die misbruik kan doen',
    noAnswer: '— geen antwoord —',
    tlp: 'Gevraagd TLP',
    tlpHint: 'Hoe ruim we uw melding mogen delen (TLP 2.0). We delen nooit ruimer dan u vraagt; soms minder.',
    tlpLabels: {
      CLEAR: 'TLP:CLEAR – mag openbaar',
      GREEN: 'TLP:GREEN – de securitygemeenschap',
      AMBER: 'TLP:AMBER – de organisatie en wie haar moet helpen',
      'AMBER+STRICT': 'TLP:AMBER+STRICT – alleen de organisatie',
      RED: 'TLP:RED – alleen genoemde ontvangers',
    },
    contact: 'Contactgegevens',
    contactHint:
      'Niet verplicht. Met een e-mailadres bevestigen we de ontvangst en kunnen we vragen stellen; zonder is de melding anoniem.',
    name: 'Naam',
    email: 'E-mailadres',
    pgpKey: 'Uw publieke OpenPGP-sleutel',
    pgpKeyHint:
      'Niet verplicht: we versleutelen dan onze mail aan u. Plak de publieke sleutel (ASCII-armor).',
    consent: 'Ik heb het meldbeleid gelezen en ga ermee akkoord.',
    consentLink: 'Lees het meldbeleid',
    submit: 'Melding versturen',
    receiptTitle: 'Melding ontvangen',
    receiptIntro: 'Dank u. Uw melding is ontvangen onder dit kenmerk:',
    receiptLink:
      'Bewaar deze link om uw melding te volgen, informatie toe te voegen en onze berichten te lezen. Hij wordt alleen nu getoond (en in de ontvangstbevestiging): wie hem heeft, kan de status zien.',
    receiptMail: 'We hebben een ontvangstbevestiging naar uw e-mailadres gestuurd.',
    receiptAnonymous: 'U hebt anoniem gemeld: deze link is de enige manier om de melding te volgen.',
    statusTitle: 'Status van melding',
    stages: {
      received: 'Ontvangen',
      assessed: 'Beoordeeld',
      warned: 'Organisaties gewaarschuwd',
      resolved: 'Opgelost',
    },
    stageDone: 'gedaan',
    stageCurrent: 'huidige stap',
    stagePending: 'nog niet',
    failed:
      'Uw melding kon niet automatisch worden verwerkt. Een analist kijkt ernaar; u hoeft haar niet opnieuw te sturen.',
    decisions: 'Beoordeling',
    decisionNames: {
      notify: 'de eigenaar wordt gewaarschuwd',
      review: 'een analist beoordeelt haar',
      inform: 'vastgelegd, niemand gewaarschuwd',
      reject: 'niet in behandeling genomen',
    },
    reasons: 'Redenen',
    analystReason: 'Een analist heeft de beoordeling bekeken.',
    warnedCount: (n: number) => (n === 1 ? '1 organisatie gewaarschuwd' : `${n} organisaties gewaarschuwd`),
    resolvedCount: (r: number, t: number) => `${r} van ${t} waarschuwingen opgelost`,
    systems: 'Systemen',
    yourReport: 'Uw melding',
    messages: 'Berichten',
    noMessages: 'Nog geen berichten.',
    fromAnalyst: 'Van ons',
    fromReporter: 'Van u',
    addInfo: 'Informatie toevoegen',
    addInfoHint: 'Alleen tekst; hoogstens 10.000 tekens. Analisten zien het bij uw melding.',
    addInfoSubmit: 'Versturen',
    added: 'Uw informatie is toegevoegd.',
    forbiddenTitle: 'Verzoek geweigerd',
    forbidden:
      'Dit formulier kon niet worden aangenomen: het beveiligingstoken ontbreekt of is ongeldig (misschien verlopen, of cookies zijn geblokkeerd). Open het formulier opnieuw en verstuur nogmaals; er is niets opgeslagen.',
    tooManyTitle: 'Te veel meldingen',
    tooMany: (minutes: number) =>
      `Vanaf dit adres zijn in het afgelopen uur het hoogste aantal meldingen gestuurd dat we aannemen. Probeer het over ongeveer ${minutes} minuten opnieuw. Spoed? Vermeld het in de melding.`,
    tooLargeTitle: 'Te groot',
    tooLarge:
      'Het formulier is groter dan we aannemen (hoogstens 5 bestanden van 10 MB). Er is niets opgeslagen.',
    notFoundTitle: 'Melding niet gevonden',
    notFound: 'Deze statuslink is niet bekend. Controleer of u hem volledig hebt gekopieerd.',
    backToForm: 'Terug naar het meldformulier',
  },
} as const;

export type ReportWords = (typeof reportWords)[Language];

/** Styles of the form pages (the layout's CSP allows inline styles, not scripts). */
export const formStyles = html`<style>
  .field {
    margin: 0 0 1.25rem 0;
  }
  label,
  legend {
    font-weight: 600;
    display: block;
  }
  .hint {
    color: #505050;
    margin: 0.125rem 0 0.25rem 0;
  }
  .error {
    color: #b3261e;
    font-weight: 600;
    margin: 0.125rem 0 0.25rem 0;
  }
  [aria-invalid='true'] {
    border: 2px solid #b3261e;
  }
  input[type='text'],
  input[type='email'],
  input[type='datetime-local'],
  select,
  textarea {
    font: inherit;
    width: 100%;
    box-sizing: border-box;
    padding: 0.375rem;
  }
  textarea {
    min-height: 6rem;
  }
  fieldset {
    border: 1px solid #c4c4c4;
    margin: 0 0 1.25rem 0;
    padding: 0.75rem 1rem;
  }
  .error-summary {
    border: 3px solid #b3261e;
    padding: 0.75rem 1rem;
    margin-bottom: 1.5rem;
  }
  .error-summary:focus {
    outline: 3px solid #ffbf47;
  }
  .receipt {
    border: 3px solid #00703c;
    padding: 0.75rem 1rem;
    margin-bottom: 1.5rem;
  }
  .tracking {
    font-size: 1.5rem;
    font-weight: 700;
  }
  .secret-link {
    word-break: break-all;
  }
  :focus-visible {
    outline: 3px solid #ffbf47;
    outline-offset: 2px;
  }
  button {
    font: inherit;
    padding: 0.5rem 1.25rem;
  }
  ol.stages li[aria-current='step'] {
    font-weight: 700;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
</style>`;
