import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Language } from '../../reporting/index.ts';
import { layout } from './layout.ts';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * `GET /policy`: the coordinated vulnerability disclosure policy the report form asks consent to. It follows
 * the shape of NCSC-NL's CVD policy and promises only what this reporting point controls: whether a
 * researcher is prosecuted is for the Public Prosecution Service, and a system's owner may file a complaint.
 */
export function policyPage(lang: Language, instanceName: string) {
  const other: Language = lang === 'en' ? 'nl' : 'en';
  const switchLink = html`<p>
    <a href="/policy?lang=${other}" hreflang="${other}" lang="${other}"
      >${other === 'nl' ? 'Nederlands' : 'English'}</a
    >
  </p>`;
  const body: Html = lang === 'nl' ? dutch(instanceName) : english(instanceName);
  return layout({
    title:
      lang === 'nl'
        ? 'Beleid voor het melden van kwetsbaarheden'
        : 'Coordinated vulnerability disclosure policy',
    instanceName,
    lang,
    body: html`${switchLink}${body}`,
  });
}

function english(instanceName: string): Html {
  return html`<h1>Coordinated vulnerability disclosure policy</h1>
    <p>
      ${instanceName} is a reporting point for vulnerable and compromised systems. We welcome reports from
      security researchers and anyone else who finds a weakness. This policy says what we ask of you, what we
      do with your report, and what we can and cannot promise.
    </p>
    <h2>What we ask of you</h2>
    <ul>
      <li>
        Report what you found as soon as you can, through <a href="/report?lang=en">the report form</a>.
      </li>
      <li>
        Do no more than is needed to show the problem. Do not copy, change or delete data, and do not look at
        more personal data than needed to show it; delete what you obtained once you have reported it.
      </li>
      <li>
        Do not use social engineering, physical attacks, denial of service, brute force or malware, and do not
        place a backdoor or change the system.
      </li>
      <li>Do not share the problem with others until it is resolved, or until we agree a date with you.</li>
      <li>Give us enough detail to understand and check it: the system, what you did and when.</li>
    </ul>
    <h2>What we do with your report</h2>
    <ul>
      <li>
        We acknowledge your report within one working day (by e-mail if you gave an address, and on the status
        page).
      </li>
      <li>
        Within three working days we assess it by our published
        <a href="/framework?lang=en">assessment framework</a>
        and tell you the outcome and the reasons on the status page.
      </li>
      <li>
        We warn the organisation that must act (the owner of the system or its network provider), directly or
        through the organisation that serves it, and ask it to resolve the problem. We aim for a fix within 60
        days; the time may be shorter or longer depending on the problem, and we keep you informed.
      </li>
      <li>
        We agree with you if and when the problem is made public. If you wish, we name you as the finder when
        it is.
      </li>
      <li>We do not pay rewards.</li>
    </ul>
    <h2>Confidentiality and your personal data</h2>
    <p>
      You may report anonymously. Your name, e-mail address and key are kept apart from the finding: we do not
      give them to the owner of the system or anyone else without your consent, unless the law obliges us to.
      We use them only to handle your report and delete them after handling. The status link is secret:
      whoever has it can see the status and add information, so keep it to yourself.
    </p>
    <h2>Sharing (TLP)</h2>
    <p>
      The TLP label you choose is the widest we will share your report under (FIRST TLP 2.0): TLP:RED named
      recipients only, TLP:AMBER+STRICT the recipient's organisation only, TLP:AMBER the organisation and
      those who must help it, TLP:GREEN the security community, TLP:CLEAR no limit. We may share less widely
      than you ask, for example when the report holds personal data, but never more widely. A warning names
      its TLP label.
    </p>
    <h2>Legal position</h2>
    <p>
      We cannot promise that you will not be prosecuted: that is not ours to decide. Whether an investigation
      or prosecution follows is for the Public Prosecution Service, which has published how it weighs ethical
      hacking and responsible disclosure; the owner of a system may also file a complaint. Acting within this
      policy and reporting to us promptly is how you show good faith, and we will say so if we are asked. For
      the systems of ${instanceName} itself, we will not file a complaint against you when you have acted
      within this policy.
    </p>`;
}

function dutch(instanceName: string): Html {
  return html`<h1>Beleid voor het melden van kwetsbaarheden</h1>
    <p>
      ${instanceName} is een meldpunt voor kwetsbare en gecompromitteerde systemen. We verwelkomen meldingen
      van beveiligingsonderzoekers en iedereen die een zwakke plek vindt. Dit beleid zegt wat we van u vragen,
      wat we met uw melding doen en wat we wel en niet kunnen beloven.
    </p>
    <h2>Wat we van u vragen</h2>
    <ul>
      <li>Meld wat u hebt gevonden zo snel mogelijk, via <a href="/report?lang=nl">het meldformulier</a>.</li>
      <li>
        Doe niet meer dan nodig is om het probleem aan te tonen. Kopieer, wijzig of verwijder geen gegevens en
        bekijk niet meer persoonsgegevens dan nodig; verwijder wat u hebt verkregen zodra u het hebt gemeld.
      </li>
      <li>
        Gebruik geen social engineering, fysieke aanvallen, denial of service, brute force of malware, en
        plaats geen achterdeur of verander het systeem niet.
      </li>
      <li>
        Deel het probleem niet met anderen totdat het is opgelost of totdat we met u een datum afspreken.
      </li>
      <li>Geef genoeg details om het te begrijpen en na te gaan: het systeem, wat u deed en wanneer.</li>
    </ul>
    <h2>Wat we met uw melding doen</h2>
    <ul>
      <li>
        We bevestigen de ontvangst binnen één werkdag (per e-mail als u een adres gaf, en op de statuspagina).
      </li>
      <li>
        Binnen drie werkdagen beoordelen we de melding volgens ons gepubliceerde
        <a href="/framework?lang=nl">beoordelingskader</a> en laten we de uitkomst en de redenen zien op de
        statuspagina.
      </li>
      <li>
        We waarschuwen de organisatie die moet handelen (de eigenaar van het systeem of zijn
        netwerkaanbieder), direct of via de organisatie die haar bedient, en vragen haar het probleem op te
        lossen. We streven naar een oplossing binnen 60 dagen; afhankelijk van het probleem kan dat korter of
        langer zijn, en we houden u op de hoogte.
      </li>
      <li>
        We spreken met u af of en wanneer het probleem openbaar wordt. Als u dat wilt, noemen we u dan als
        vinder.
      </li>
      <li>We keren geen beloningen uit.</li>
    </ul>
    <h2>Vertrouwelijkheid en uw persoonsgegevens</h2>
    <p>
      U mag anoniem melden. Uw naam, e-mailadres en sleutel bewaren we gescheiden van de bevinding: we geven
      ze niet aan de eigenaar van het systeem of aan anderen zonder uw toestemming, tenzij de wet ons daartoe
      verplicht. We gebruiken ze alleen om uw melding af te handelen en verwijderen ze na afhandeling. De
      statuslink is geheim: wie hem heeft, kan de status zien en informatie toevoegen, dus houd hem voor
      uzelf.
    </p>
    <h2>Delen (TLP)</h2>
    <p>
      Het TLP-label dat u kiest, is het ruimste waaronder we uw melding delen (FIRST TLP 2.0): TLP:RED alleen
      genoemde ontvangers, TLP:AMBER+STRICT alleen de organisatie van de ontvanger, TLP:AMBER de organisatie
      en wie haar moet helpen, TLP:GREEN de securitygemeenschap, TLP:CLEAR zonder beperking. We kunnen minder
      ruim delen dan u vraagt, bijvoorbeeld als de melding persoonsgegevens bevat, maar nooit ruimer. Een
      waarschuwing vermeldt haar TLP-label.
    </p>
    <h2>Juridische positie</h2>
    <p>
      We kunnen niet beloven dat u niet wordt vervolgd: dat is niet aan ons. Of er een onderzoek of vervolging
      komt, is aan het Openbaar Ministerie, dat heeft gepubliceerd hoe het ethisch hacken en responsible
      disclosure weegt; ook kan de eigenaar van een systeem aangifte doen. Door binnen dit beleid te handelen
      en snel bij ons te melden, laat u zien dat u te goeder trouw handelt, en dat zeggen we ook als ons dat
      wordt gevraagd. Voor de systemen van ${instanceName} zelf doen we geen aangifte als u binnen dit beleid
      hebt gehandeld.
    </p>`;
}
