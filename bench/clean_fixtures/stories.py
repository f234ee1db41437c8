"""Stories written for this project (fictional events), used by make_fixtures.py.

Each story has its own text; the layouts in make_fixtures.py wrap them in different sites'
furniture. Expected values are the story's, not what the cleaner happens to produce.
"""

from __future__ import annotations

STORIES = [
    {
        "key": "ferry",
        "lang": "en",
        "title": "Harbor ferry service suspended after engine fire on morning crossing",
        "tags": ["Transport", "Harbor City"],
        "paragraphs": [
            "The city's ferry operator suspended all crossings on Tuesday after a small engine fire broke out aboard the Northern Star during the 7:40 a.m. run, officials said.",
            "None of the 212 passengers was hurt. The crew put out the fire within minutes and the vessel returned to the terminal under its own power, according to a statement from the operator.",
            '"Our first concern was getting everyone off safely, and that is what happened," said Maria Okafor, the operator\'s head of safety. "We will not resume service until every boat has been inspected."',
            "Commuters were directed to replacement buses, which added about forty minutes to the trip across the bay. Several riders said they had received no warning before arriving at the pier.",
            "The maritime safety board said it had opened an investigation. It was the second fire on the fleet this year.",
            "He declined to give a date for the return of full service.",
        ],
    },
    {
        "key": "library",
        "lang": "en",
        "title": "City council votes to keep branch libraries open on Sundays",
        "tags": ["Culture", "City Council", "Budget"],
        "paragraphs": [
            "The city council voted 9 to 4 on Monday night to fund Sunday opening hours at all eleven branch libraries, reversing a cut that had been proposed in the draft budget.",
            "Supporters packed the chamber for more than three hours of public comment. Many were parents who said the libraries were the only quiet place their children could study at the weekend.",
            "The change will cost about $1.2 million a year. Council member Dana Ruiz, who proposed the amendment, said the money would come from a reserve fund set aside for building repairs.",
            'Opponents warned that the reserve was already too small. "We are borrowing from next year to pay for this year," said council member Tom Hale, who voted against the measure.',
            "The new hours take effect on the first Sunday of next month.",
        ],
    },
    {
        "key": "heat",
        "lang": "en",
        "title": "Record heat strains power grid as officials urge residents to cut use",
        "tags": ["Weather", "Energy"],
        "paragraphs": [
            "Temperatures climbed above 41 degrees Celsius across the region on Thursday, the hottest day since records began, and the grid operator asked households to avoid running large appliances in the evening.",
            "Demand peaked at 7 p.m. at a level the operator had not expected until the end of the decade. Two power plants were running at reduced output because the river water used to cool them was too warm.",
            "Cooling centres in libraries and community halls stayed open until midnight. Hospitals reported a rise in patients treated for heat exhaustion, most of them older people living alone.",
            "Forecasters said the heat would ease slightly over the weekend, but warned that nights would remain unusually warm, giving homes little chance to cool down.",
        ],
    },
    {
        "key": "startup",
        "lang": "en",
        "title": "Battery startup raises $40 million to build its first factory",
        "tags": ["Business", "Technology", "Energy"],
        "paragraphs": [
            "A battery company founded four years ago in a university laboratory has raised $40 million from investors to build its first factory, the company said on Wednesday.",
            "The firm makes cells that use sodium instead of lithium, which it says are cheaper and less likely to catch fire, though they store less energy for their weight.",
            "Chief executive Priya Raman said the plant would employ about 300 people when it opens in two years. The company has not yet chosen a site, but is in talks with three regions.",
            'Analysts said sodium cells were best suited to storing power from wind and solar farms rather than to cars. "Weight matters much less when the battery sits in a field," one analyst said.',
            "The round was led by a fund backed by several pension schemes.",
        ],
    },
    {
        "key": "bahn",
        "lang": "de",
        "title": "Bahn kündigt Sanierung der Strecke zwischen Hamburg und Berlin an",
        "tags": ["Verkehr", "Bahn", "Infrastruktur"],
        "paragraphs": [
            "Die Bahn will die Strecke zwischen Hamburg und Berlin im kommenden Jahr für fünf Monate vollständig sperren und grundlegend erneuern. Das teilte das Unternehmen am Dienstag in Berlin mit.",
            "Während der Bauarbeiten sollen die Fernzüge über Uelzen und Stendal umgeleitet werden. Die Fahrzeit verlängert sich dadurch nach Angaben der Bahn um etwa 45 Minuten.",
            "Fahrgastverbände kritisierten die lange Sperrung. Die Pendler in der Region hätten kaum Alternativen, sagte ein Sprecher. Er forderte zusätzliche Busse und günstigere Tickets für die Zeit der Bauarbeiten.",
            "Die Bahn verteidigte ihre Pläne. Eine Sanierung bei laufendem Betrieb würde mehrere Jahre dauern und die Fahrgäste noch stärker belasten, hieß es.",
        ],
    },
    {
        "key": "wolf",
        "lang": "de",
        "title": "Wolf in Niedersachsen gesichtet: Behörden mahnen zur Ruhe",
        "tags": ["Umwelt", "Niedersachsen"],
        "paragraphs": [
            "In einem Waldgebiet bei Celle ist am Wochenende erneut ein Wolf beobachtet worden. Ein Spaziergänger hatte das Tier gefilmt und das Video an die Behörden geschickt.",
            "Das Umweltministerium bestätigte die Sichtung am Montag. Von dem Tier gehe nach derzeitigem Stand keine Gefahr für Menschen aus, sagte eine Sprecherin.",
            "Schäfer in der Region zeigten sich dennoch besorgt. Im vergangenen Jahr waren in Niedersachsen mehr als hundert Nutztiere bei Wolfsangriffen getötet worden.",
            "Das Land zahlt Tierhaltern Zuschüsse für Schutzzäune und Herdenschutzhunde. Der Bauernverband hält die Mittel jedoch für unzureichend.",
            "Wer einem Wolf begegnet, sollte stehen bleiben, sich bemerkbar machen und langsam zurückgehen.",
        ],
    },
    {
        "key": "mieten",
        "lang": "de",
        "title": "Mieten in Großstädten steigen weiter deutlich",
        "tags": ["Wohnen", "Wirtschaft"],
        "paragraphs": [
            "Die Angebotsmieten in den sieben größten deutschen Städten sind im ersten Quartal erneut deutlich gestiegen. Im Durchschnitt lagen sie um 6,8 Prozent über dem Vorjahreswert, wie aus einer am Donnerstag veröffentlichten Auswertung hervorgeht.",
            "Am stärksten war der Anstieg in Berlin, wo neu angebotene Wohnungen im Schnitt 15,40 Euro pro Quadratmeter kosteten. In München blieb das Niveau mit über 21 Euro am höchsten.",
            "Als Hauptgrund nennen die Autoren der Studie den Mangel an Neubauten. Wegen hoher Zinsen und Baukosten seien viele Projekte gestoppt worden.",
            "Der Mieterbund forderte eine Verschärfung der Mietpreisbremse. Vermieterverbände warnten dagegen vor weiteren Eingriffen in den Markt.",
        ],
    },
    {
        "key": "velo",
        "lang": "fr",
        "title": "Lyon étend son réseau de pistes cyclables de 40 kilomètres",
        "tags": ["Transports", "Lyon", "Vélo"],
        "paragraphs": [
            "La métropole de Lyon a annoncé lundi la création de 40 kilomètres de nouvelles pistes cyclables d'ici la fin de l'année prochaine, dont une grande partie sur les axes qui relient le centre aux communes de l'est.",
            "Le projet, d'un coût de 62 millions d'euros, prévoit des voies séparées de la circulation automobile par des bordures. Plusieurs carrefours seront réaménagés pour réduire le nombre d'accidents.",
            "« Nous voulons que chacun puisse aller au travail à vélo sans avoir peur », a déclaré le vice-président chargé des mobilités lors d'une conférence de presse.",
            "Les commerçants de certaines rues concernées s'inquiètent de la suppression de places de stationnement. Une concertation sera organisée avec eux avant le début des travaux.",
        ],
    },
    {
        "key": "vendanges",
        "lang": "fr",
        "title": "Les vendanges commencent avec deux semaines d'avance en Bourgogne",
        "tags": ["Agriculture", "Vin"],
        "paragraphs": [
            "Les premiers coups de sécateur ont été donnés jeudi dans plusieurs domaines de la côte de Beaune, près de deux semaines plus tôt que la moyenne des trente dernières années.",
            "La chaleur de l'été a accéléré la maturation du raisin. Les vignerons se disent satisfaits de l'état sanitaire des grappes, mais redoutent des rendements en baisse à cause de la sécheresse.",
            "« Le raisin est magnifique, mais il y en a peu », résume une viticultrice de Meursault, qui emploie cette année une trentaine de saisonniers.",
            "L'interprofession estime que la récolte sera inférieure d'environ 15 % à celle de l'an dernier.",
        ],
    },
    {
        "key": "greve",
        "lang": "fr",
        "title": "Grève des contrôleurs aériens : des centaines de vols annulés",
        "tags": ["Transport aérien", "Grève"],
        "paragraphs": [
            "Plus de 800 vols ont été annulés vendredi dans les aéroports français en raison d'une grève des contrôleurs aériens, selon la Direction générale de l'aviation civile.",
            "Les syndicats protestent contre un projet de réforme qui prévoit de modifier l'organisation des horaires de travail dans les centres de contrôle.",
            "À Paris, les compagnies ont dû supprimer un vol sur quatre. Les passagers ont été invités à vérifier le statut de leur vol avant de se rendre à l'aéroport.",
            "Le ministre des Transports a appelé à la reprise du dialogue et a proposé une nouvelle réunion la semaine prochaine.",
        ],
    },
    {
        "key": "sequia",
        "lang": "es",
        "title": "Cataluña decreta nuevas restricciones de agua por la sequía",
        "tags": ["Sequía", "Cataluña", "Medio ambiente"],
        "paragraphs": [
            "El Gobierno catalán aprobó este martes nuevas restricciones al consumo de agua en más de 200 municipios, después de que los embalses cayeran por debajo del 16 % de su capacidad.",
            "La medida limita el riego de jardines y la limpieza de calles con agua potable, y reduce en un 40 % la dotación para la agricultura. Las piscinas privadas no podrán llenarse este verano.",
            "«Estamos ante la peor sequía que se recuerda en Cataluña», afirmó la consejera de Acción Climática en rueda de prensa. Pidió a los ciudadanos que reduzcan el consumo en sus hogares.",
            "Los agricultores del delta del Ebro advirtieron de que las restricciones pondrán en riesgo la cosecha de arroz.",
        ],
    },
    {
        "key": "museo",
        "lang": "es",
        "title": "El Museo del Prado recibe una donación de diez dibujos de Goya",
        "tags": ["Cultura", "Arte", "Madrid"],
        "paragraphs": [
            "El Museo del Prado anunció el jueves que ha recibido de una colección particular diez dibujos de Francisco de Goya que nunca se habían expuesto al público.",
            "Los dibujos, realizados con tinta y aguada, pertenecen a los álbumes que el pintor elaboró durante sus últimos años en Burdeos. Los expertos del museo confirmaron su autenticidad tras dos años de estudio.",
            "La familia donante ha pedido mantener el anonimato. Según el director del museo, se trata de una de las donaciones más importantes de las últimas décadas.",
            "Las obras se podrán ver en una exposición temporal a partir del próximo otoño.",
        ],
    },
]
