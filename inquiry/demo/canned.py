"""The demo desk's canned replies: what a police organisation's public desk answers every day,
in its main languages, saved through ``canned.services`` like any supervisor's."""
from __future__ import annotations

from inquiry.auth.models import User
from inquiry.canned import services

# (shortcut, title, topic, {language: body}); every reply is offered in every queue.
REPLIES: tuple[tuple[str, str, str | None, dict[str, str]], ...] = (
    ("report-crime-locally", "How to report a crime", "crime-awareness", {
        "en": "Hello {contact_name},\n\nThank you for contacting us. We cannot register crime reports ourselves: please "
              "report what happened to the police in the country where it took place or, if you are unsure, to your "
              "local police. They can open an investigation and, where needed, work with police in other countries "
              "through us.\n\nYour reference with us is {reference}.\n\n{agent_name}",
        "fr": "Bonjour {contact_name},\n\nMerci de nous avoir contactés. Nous ne pouvons pas enregistrer nous-mêmes les "
              "plaintes : veuillez signaler les faits à la police du pays où ils se sont produits ou, en cas de doute, à "
              "votre police locale. Elle pourra ouvrir une enquête et, si nécessaire, coopérer avec les polices d'autres "
              "pays par notre intermédiaire.\n\nVotre référence auprès de nous : {reference}.\n\n{agent_name}",
        "es": "Hola {contact_name}:\n\nGracias por ponerse en contacto con nosotros. No podemos registrar denuncias "
              "directamente: le rogamos que denuncie los hechos ante la policía del país donde ocurrieron o, si tiene "
              "dudas, ante su policía local. Ellos pueden abrir una investigación y, si es necesario, colaborar con las "
              "policías de otros países a través de nosotros.\n\nSu referencia con nosotros es {reference}.\n\n{agent_name}",
        "de": "Guten Tag {contact_name},\n\nvielen Dank für Ihre Nachricht. Wir können selbst keine Strafanzeigen aufnehmen: "
              "Bitte erstatten Sie Anzeige bei der Polizei des Landes, in dem die Tat geschehen ist, oder im Zweifel bei "
              "Ihrer örtlichen Polizei. Diese kann Ermittlungen aufnehmen und bei Bedarf über uns mit der Polizei anderer "
              "Länder zusammenarbeiten.\n\nIhre Referenz bei uns lautet {reference}.\n\n{agent_name}",
        "ar": "مرحبًا {contact_name}،\n\nشكرًا لتواصلك معنا. لا يمكننا تسجيل البلاغات الجنائية بأنفسنا: يُرجى إبلاغ الشرطة "
              "في البلد الذي وقعت فيه الحادثة، أو الشرطة المحلية في بلدك إن لم تكن متأكدًا. يمكنها فتح تحقيق، والتعاون عند "
              "الحاجة مع أجهزة الشرطة في بلدان أخرى عن طريقنا.\n\nالرقم المرجعي لطلبك لدينا: {reference}.\n\n{agent_name}",
        "pt": "Olá {contact_name},\n\nObrigado por nos contactar. Não podemos registar queixas-crime diretamente: por favor, "
              "apresente queixa junto da polícia do país onde os factos ocorreram ou, em caso de dúvida, da sua polícia "
              "local. Esta poderá abrir uma investigação e, se necessário, trabalhar com as polícias de outros países "
              "através de nós.\n\nA sua referência junto de nós é {reference}.\n\n{agent_name}",
        "ru": "Здравствуйте, {contact_name}!\n\nСпасибо за обращение. Мы не можем сами принимать заявления о преступлениях: "
              "пожалуйста, сообщите о случившемся в полицию страны, где это произошло, или, если вы не уверены, в местную "
              "полицию. Она может начать расследование и при необходимости взаимодействовать через нас с полицией других "
              "стран.\n\nНомер вашего обращения: {reference}.\n\n{agent_name}",
        "zh": "{contact_name}，您好：\n\n感谢您与我们联系。我们无法直接受理报案：请向案件发生地所在国家的警方报案；如不确定，"
              "请联系您当地的警方。警方可以立案调查，并在需要时通过我们与其他国家的警方合作。\n\n"
              "您在我们这里的查询编号为 {reference}。\n\n{agent_name}",
    }),
    ("lost-passport", "Lost or stolen passport: contact your national authority", None, {
        "en": "Hello {contact_name},\n\nWe are sorry to hear about your passport. Passports are issued and cancelled only by "
              "national authorities, so we cannot replace or trace it. Please report the loss or theft to the local police "
              "and contact your country's passport office, or its embassy or consulate if you are abroad: they will cancel "
              "the document and issue a new one or an emergency travel document.\n\nReference: {reference}\n{agent_name}",
        "fr": "Bonjour {contact_name},\n\nNous sommes désolés pour votre passeport. Les passeports sont délivrés et annulés "
              "uniquement par les autorités nationales : nous ne pouvons ni le remplacer ni le retrouver. Veuillez déclarer "
              "la perte ou le vol à la police locale et contacter le service des passeports de votre pays, ou son ambassade "
              "ou consulat si vous êtes à l'étranger : ils annuleront le document et vous délivreront un nouveau passeport "
              "ou un document de voyage d'urgence.\n\nRéférence : {reference}\n{agent_name}",
        "es": "Hola {contact_name}:\n\nLamentamos lo ocurrido con su pasaporte. Los pasaportes solo los expiden y anulan las "
              "autoridades nacionales, por lo que no podemos reponerlo ni localizarlo. Denuncie la pérdida o el robo ante "
              "la policía local y póngase en contacto con la oficina de pasaportes de su país o, si está en el extranjero, "
              "con su embajada o consulado: anularán el documento y le expedirán uno nuevo o un documento de viaje de "
              "emergencia.\n\nReferencia: {reference}\n{agent_name}",
        "de": "Guten Tag {contact_name},\n\nes tut uns leid, was mit Ihrem Reisepass geschehen ist. Reisepässe werden "
              "ausschließlich von nationalen Behörden ausgestellt und für ungültig erklärt; wir können ihn daher weder "
              "ersetzen noch ausfindig machen. Bitte melden Sie den Verlust oder Diebstahl der örtlichen Polizei und wenden "
              "Sie sich an die Passbehörde Ihres Landes oder, wenn Sie im Ausland sind, an dessen Botschaft oder Konsulat: "
              "Dort wird das Dokument gesperrt und ein neuer Pass oder ein Notreiseausweis ausgestellt.\n\n"
              "Referenz: {reference}\n{agent_name}",
        "ar": "مرحبًا {contact_name}،\n\nيؤسفنا ما حدث لجواز سفرك. تصدر جوازات السفر وتُلغى من قِبل السلطات الوطنية وحدها، "
              "لذلك لا يمكننا استبداله أو تتبّعه. يُرجى الإبلاغ عن فقدانه أو سرقته لدى الشرطة المحلية، والتواصل مع مكتب "
              "الجوازات في بلدك، أو مع سفارته أو قنصليته إن كنت في الخارج، لإلغاء الوثيقة وإصدار جواز جديد أو وثيقة سفر "
              "طارئة.\n\nالرقم المرجعي: {reference}\n{agent_name}",
        "pt": "Olá {contact_name},\n\nLamentamos o que aconteceu com o seu passaporte. Os passaportes são emitidos e "
              "cancelados apenas pelas autoridades nacionais, pelo que não o podemos substituir nem localizar. Comunique a "
              "perda ou o furto à polícia local e contacte os serviços de passaportes do seu país ou, se estiver no "
              "estrangeiro, a respetiva embaixada ou consulado: estes cancelarão o documento e emitirão um novo passaporte "
              "ou um documento de viagem de emergência.\n\nReferência: {reference}\n{agent_name}",
        "ru": "Здравствуйте, {contact_name}!\n\nСожалеем о случившемся с вашим паспортом. Паспорта выдают и аннулируют "
              "только национальные органы власти, поэтому мы не можем ни заменить его, ни разыскать. Пожалуйста, заявите "
              "об утрате или краже в местную полицию и обратитесь в паспортную службу своей страны, а если вы за границей — "
              "в её посольство или консульство: там аннулируют документ и выдадут новый паспорт или временный документ "
              "для возвращения.\n\nНомер обращения: {reference}\n{agent_name}",
        "zh": "{contact_name}，您好：\n\n得知您的护照出了问题，我们深表遗憾。护照只能由各国主管机关签发和注销，因此我们无法"
              "为您补办或查找护照。请向当地警方报告遗失或被盗情况，并联系您本国的护照签发机关；如您身在国外，请联系本国"
              "驻当地使领馆。他们会注销原证件，并为您签发新护照或紧急旅行证件。\n\n查询编号：{reference}\n{agent_name}",
    }),
    ("scam-received", "Scam report received", "crime-types-events", {
        "en": "Hello {contact_name},\n\nThank you for telling us about this scam; your report has been recorded under "
              "{reference}. Reports like yours help us warn the public and spot new fraud trends. If you have lost money, "
              "please also report it to your local police and contact your bank straight away: they can try to stop or "
              "recover payments. Never send more money to get back what you have lost: that is often a second scam.\n\n"
              "If you used our web form, you can follow your inquiry at {status_url} with your reference and the secret "
              "token you were given.\n\n{agent_name}",
        "fr": "Bonjour {contact_name},\n\nMerci de nous avoir signalé cette escroquerie ; votre signalement est enregistré "
              "sous la référence {reference}. Les signalements comme le vôtre nous aident à alerter le public et à repérer "
              "les nouvelles formes de fraude. Si vous avez perdu de l'argent, portez également plainte auprès de votre "
              "police locale et contactez immédiatement votre banque : elle peut tenter de bloquer ou de récupérer les "
              "paiements. N'envoyez jamais d'argent pour récupérer ce que vous avez perdu : il s'agit souvent d'une seconde "
              "escroquerie.\n\nSi vous nous avez écrit via notre formulaire en ligne, vous pouvez suivre votre demande sur "
              "{status_url} avec votre référence et le code secret qui vous a été remis.\n\n{agent_name}",
        "es": "Hola {contact_name}:\n\nGracias por informarnos de esta estafa; su aviso ha quedado registrado con la "
              "referencia {reference}. Avisos como el suyo nos ayudan a alertar al público y a detectar nuevas modalidades "
              "de fraude. Si ha perdido dinero, denúncielo también ante su policía local y contacte de inmediato con su "
              "banco: puede intentar bloquear o recuperar los pagos. Nunca envíe más dinero para recuperar lo perdido: "
              "suele tratarse de una segunda estafa.\n\nSi nos escribió a través de nuestro formulario web, puede seguir su "
              "solicitud en {status_url} con su referencia y el código secreto que recibió.\n\n{agent_name}",
        "de": "Guten Tag {contact_name},\n\nvielen Dank, dass Sie uns diesen Betrug gemeldet haben; Ihre Meldung ist unter "
              "{reference} erfasst. Meldungen wie Ihre helfen uns, die Öffentlichkeit zu warnen und neue Betrugsmaschen zu "
              "erkennen. Wenn Sie Geld verloren haben, erstatten Sie bitte auch Anzeige bei Ihrer örtlichen Polizei und "
              "wenden Sie sich umgehend an Ihre Bank: Sie kann versuchen, Zahlungen zu stoppen oder zurückzuholen. "
              "Überweisen Sie niemals weiteres Geld, um Verlorenes zurückzubekommen – dahinter steckt oft ein zweiter "
              "Betrug.\n\nWenn Sie uns über unser Webformular geschrieben haben, können Sie Ihre Anfrage unter {status_url} "
              "mit Ihrer Referenz und dem geheimen Code verfolgen, den Sie erhalten haben.\n\n{agent_name}",
        "ar": "مرحبًا {contact_name}،\n\nشكرًا لإبلاغنا عن عملية الاحتيال هذه؛ لقد سُجّل بلاغك تحت الرقم المرجعي {reference}. "
              "تساعدنا البلاغات مثل بلاغك على تحذير الجمهور ورصد أساليب الاحتيال الجديدة. إذا خسرت أموالًا، فيُرجى أيضًا "
              "إبلاغ الشرطة المحلية والتواصل مع مصرفك فورًا، فقد يتمكن من إيقاف المدفوعات أو استردادها. لا ترسل أبدًا أموالًا "
              "إضافية لاسترداد ما خسرته، فغالبًا ما يكون ذلك عملية احتيال ثانية.\n\nإذا راسلتنا عبر النموذج الإلكتروني على "
              "موقعنا، يمكنك متابعة طلبك على {status_url} باستخدام الرقم المرجعي والرمز السري الذي حصلت عليه.\n\n{agent_name}",
        "pt": "Olá {contact_name},\n\nObrigado por nos ter comunicado esta burla; a sua denúncia ficou registada com a "
              "referência {reference}. Comunicações como a sua ajudam-nos a alertar o público e a detetar novos esquemas de "
              "fraude. Se perdeu dinheiro, apresente também queixa junto da sua polícia local e contacte de imediato o seu "
              "banco: ele pode tentar travar ou recuperar os pagamentos. Nunca envie mais dinheiro para reaver o que "
              "perdeu: muitas vezes trata-se de uma segunda burla.\n\nSe nos escreveu através do formulário do nosso sítio, "
              "pode acompanhar o seu pedido em {status_url} com a sua referência e o código secreto que recebeu.\n\n"
              "{agent_name}",
        "ru": "Здравствуйте, {contact_name}!\n\nСпасибо, что сообщили нам о мошенничестве; ваше сообщение зарегистрировано "
              "под номером {reference}. Такие сообщения помогают нам предупреждать людей и выявлять новые мошеннические "
              "схемы. Если вы потеряли деньги, также обратитесь в местную полицию и немедленно свяжитесь со своим банком: "
              "он может попытаться остановить или вернуть платежи. Никогда не переводите дополнительные деньги, чтобы "
              "вернуть потерянное, — часто это повторное мошенничество.\n\nЕсли вы писали нам через веб-форму, вы можете "
              "следить за обращением на странице {status_url}, указав номер обращения и полученный секретный код.\n\n"
              "{agent_name}",
        "zh": "{contact_name}，您好：\n\n感谢您向我们举报这起诈骗，您的举报已登记，编号为 {reference}。像您这样的举报能帮助"
              "我们提醒公众并发现新的诈骗手法。如果您已蒙受经济损失，请同时向当地警方报案，并立即联系您的银行，银行可以"
              "尝试拦截或追回款项。切勿为了追回损失而再次汇款——这往往是第二次诈骗。\n\n如果您是通过我们的网页表单联系我们"
              "的，可凭查询编号和收到的密钥在 {status_url} 查看处理进度。\n\n{agent_name}",
    }),
    ("careers", "Careers and recruitment", "general", {
        "en": "Hello {contact_name},\n\nThank you for your interest in working with us. All our vacancies, internships and "
              "secondments are published on the careers page of our official website, with the requirements and how to "
              "apply; we cannot accept applications or CVs through this desk. Please beware of anyone who asks for a fee to "
              "apply or promises you a job with us: we never charge candidates.\n\n{agent_name}",
        "fr": "Bonjour {contact_name},\n\nMerci de l'intérêt que vous portez à notre organisation. Tous nos postes vacants, "
              "stages et détachements sont publiés sur la page Carrières de notre site officiel, avec les conditions "
              "requises et la marche à suivre pour postuler ; nous ne pouvons pas recevoir de candidatures ni de CV par ce "
              "service. Méfiez-vous de toute personne qui vous demanderait de l'argent pour postuler ou vous promettrait un "
              "emploi chez nous : nous ne demandons jamais de frais aux candidats.\n\n{agent_name}",
        "es": "Hola {contact_name}:\n\nGracias por su interés en trabajar con nosotros. Todas nuestras vacantes, prácticas y "
              "comisiones de servicio se publican en la sección de empleo de nuestro sitio web oficial, con los requisitos "
              "y la forma de presentar la candidatura; no podemos recibir solicitudes ni currículos a través de este "
              "servicio. Desconfíe de quien le pida dinero para presentar una candidatura o le prometa un puesto con "
              "nosotros: nunca cobramos nada a los candidatos.\n\n{agent_name}",
        "de": "Guten Tag {contact_name},\n\nvielen Dank für Ihr Interesse an einer Tätigkeit bei uns. Alle offenen Stellen, "
              "Praktika und Abordnungen veröffentlichen wir mit den Anforderungen und dem Bewerbungsverfahren auf der "
              "Karriereseite unserer offiziellen Website; über diesen Kanal können wir keine Bewerbungen oder Lebensläufe "
              "annehmen. Seien Sie vorsichtig, wenn jemand für eine Bewerbung Geld verlangt oder Ihnen eine Stelle bei uns "
              "verspricht: Wir verlangen von Bewerberinnen und Bewerbern niemals Gebühren.\n\n{agent_name}",
        "ar": "مرحبًا {contact_name}،\n\nشكرًا لاهتمامك بالعمل معنا. ننشر جميع الوظائف الشاغرة وفرص التدريب والإعارة على صفحة "
              "الوظائف في موقعنا الرسمي، مع الشروط المطلوبة وطريقة التقديم؛ ولا يمكننا استلام طلبات التوظيف أو السير الذاتية "
              "عبر هذه الخدمة. يُرجى الحذر من أي شخص يطلب رسومًا مقابل التقديم أو يَعِدك بوظيفة لدينا، فنحن لا نتقاضى أي رسوم "
              "من المتقدمين.\n\n{agent_name}",
        "pt": "Olá {contact_name},\n\nObrigado pelo seu interesse em trabalhar connosco. Todas as nossas vagas, estágios e "
              "destacamentos são publicados na página de carreiras do nosso sítio oficial, com os requisitos e a forma de "
              "candidatura; não podemos receber candidaturas nem currículos através deste serviço. Desconfie de quem lhe "
              "peça dinheiro para se candidatar ou lhe prometa um emprego connosco: nunca cobramos nada aos candidatos.\n\n"
              "{agent_name}",
        "ru": "Здравствуйте, {contact_name}!\n\nБлагодарим за интерес к работе у нас. Все вакансии, стажировки и "
              "командирования публикуются на странице «Карьера» нашего официального сайта вместе с требованиями и порядком "
              "подачи заявки; через эту службу мы не можем принимать заявки и резюме. Остерегайтесь тех, кто требует плату "
              "за подачу заявки или обещает вам работу у нас: мы никогда не берём денег с кандидатов.\n\n{agent_name}",
        "zh": "{contact_name}，您好：\n\n感谢您有意加入我们。我们所有的空缺职位、实习和借调机会均发布在官方网站的招聘页面上，"
              "并附有任职要求和申请方式；我们无法通过本服务渠道接收求职申请或简历。如有人要求您缴纳申请费或承诺为您安排"
              "我们机构的职位，请务必提高警惕：我们从不向应聘者收取任何费用。\n\n{agent_name}",
    }),
    ("not-emergency", "We are not an emergency service", None, {
        "en": "Hello {contact_name},\n\nPlease note that this desk is not an emergency service and does not answer in real "
              "time. If you or someone else is in danger, or a crime is happening now, call your local emergency number "
              "straight away (for example 112 in Europe, 911 in North America, 999 in the United Kingdom).\n\nWe will "
              "answer your message here as soon as we can. Reference: {reference}\n{agent_name}",
        "fr": "Bonjour {contact_name},\n\nVeuillez noter que ce service n'est pas un service d'urgence et ne répond pas en "
              "temps réel. Si vous ou une autre personne êtes en danger, ou si une infraction est en train de se produire, "
              "appelez immédiatement le numéro d'urgence local (par exemple le 112 en Europe, le 911 en Amérique du Nord, le "
              "999 au Royaume-Uni).\n\nNous répondrons à votre message ici dès que possible. Référence : {reference}\n"
              "{agent_name}",
        "es": "Hola {contact_name}:\n\nLe recordamos que este servicio no es un servicio de emergencias y no responde en "
              "tiempo real. Si usted u otra persona está en peligro, o se está cometiendo un delito en este momento, llame "
              "de inmediato al número de emergencias local (por ejemplo, el 112 en Europa, el 911 en Norteamérica o el 999 "
              "en el Reino Unido).\n\nResponderemos a su mensaje aquí lo antes posible. Referencia: {reference}\n"
              "{agent_name}",
        "de": "Guten Tag {contact_name},\n\nbitte beachten Sie, dass dieser Kanal kein Notruf ist und nicht in Echtzeit "
              "beantwortet wird. Wenn Sie oder eine andere Person in Gefahr sind oder gerade eine Straftat geschieht, rufen "
              "Sie sofort die örtliche Notrufnummer an (zum Beispiel 112 in Europa, 911 in Nordamerika, 999 im Vereinigten "
              "Königreich).\n\nWir beantworten Ihre Nachricht hier so bald wie möglich. Referenz: {reference}\n{agent_name}",
        "ar": "مرحبًا {contact_name}،\n\nيُرجى العلم أن هذه الخدمة ليست خدمة طوارئ ولا ترد بشكل فوري. إذا كنت أنت أو أي شخص "
              "آخر في خطر، أو كانت هناك جريمة تقع الآن، فاتصل فورًا برقم الطوارئ المحلي (مثل 112 في أوروبا، و911 في أمريكا "
              "الشمالية، و999 في المملكة المتحدة).\n\nسنرد على رسالتك هنا في أقرب وقت ممكن. الرقم المرجعي: {reference}\n"
              "{agent_name}",
        "pt": "Olá {contact_name},\n\nInformamos que este serviço não é um serviço de emergência e não responde em tempo "
              "real. Se você ou outra pessoa estiver em perigo, ou se um crime estiver a acontecer neste momento, ligue "
              "imediatamente para o número de emergência local (por exemplo, 112 na Europa, 911 na América do Norte, 190 no "
              "Brasil).\n\nResponderemos à sua mensagem aqui o mais depressa possível. Referência: {reference}\n{agent_name}",
        "ru": "Здравствуйте, {contact_name}!\n\nОбращаем ваше внимание: эта служба не является экстренной и не отвечает в "
              "режиме реального времени. Если вам или другому человеку угрожает опасность или преступление совершается "
              "прямо сейчас, немедленно позвоните по местному номеру экстренных служб (например, 112 в Европе и России, "
              "911 в Северной Америке).\n\nМы ответим на ваше сообщение здесь, как только сможем. Номер обращения: "
              "{reference}\n{agent_name}",
        "zh": "{contact_name}，您好：\n\n请注意，本服务不是紧急求助服务，无法实时回复。如果您或他人正面临危险，或犯罪正在发生，"
              "请立即拨打当地紧急电话（例如中国的110、欧洲的112、北美的911）。\n\n我们会尽快在此回复您的消息。"
              "查询编号：{reference}\n{agent_name}",
    }),
    ("no-case-details", "We cannot share case details", None, {
        "en": "Hello {contact_name},\n\nThank you for your message. We cannot share information about investigations, "
              "individuals or police records, or confirm whether a case or notice exists: this protects the people "
              "involved and the work of the police. For news of a case that concerns you, please contact the police force "
              "or authority handling it in your country. If you are a party to proceedings, your lawyer can ask the "
              "competent authorities through the official channels.\n\nReference: {reference}\n{agent_name}",
        "fr": "Bonjour {contact_name},\n\nMerci pour votre message. Nous ne pouvons communiquer aucune information sur des "
              "enquêtes, des personnes ou des fichiers de police, ni confirmer l'existence d'une affaire ou d'une notice : "
              "cela protège les personnes concernées et le travail de la police. Pour toute nouvelle d'une affaire qui vous "
              "concerne, veuillez vous adresser au service de police ou à l'autorité qui en est chargé dans votre pays. Si "
              "vous êtes partie à une procédure, votre avocat peut interroger les autorités compétentes par les voies "
              "officielles.\n\nRéférence : {reference}\n{agent_name}",
        "es": "Hola {contact_name}:\n\nGracias por su mensaje. No podemos facilitar información sobre investigaciones, "
              "personas o antecedentes policiales, ni confirmar si existe un caso o una notificación: así protegemos a las "
              "personas afectadas y el trabajo policial. Para conocer el estado de un caso que le afecte, diríjase al "
              "cuerpo de policía o a la autoridad que lo tramita en su país. Si es parte en un procedimiento, su abogado "
              "puede consultar a las autoridades competentes por los cauces oficiales.\n\nReferencia: {reference}\n"
              "{agent_name}",
        "de": "Guten Tag {contact_name},\n\nvielen Dank für Ihre Nachricht. Wir können keine Auskünfte über Ermittlungen, "
              "Personen oder polizeiliche Daten geben und auch nicht bestätigen, ob ein Verfahren oder eine Ausschreibung "
              "existiert: Das schützt die Betroffenen und die Arbeit der Polizei. Zum Stand eines Verfahrens, das Sie "
              "betrifft, wenden Sie sich bitte an die zuständige Polizei oder Behörde in Ihrem Land. Wenn Sie an einem "
              "Verfahren beteiligt sind, kann Ihre Anwältin oder Ihr Anwalt auf dem offiziellen Weg bei den zuständigen "
              "Behörden anfragen.\n\nReferenz: {reference}\n{agent_name}",
        "ar": "مرحبًا {contact_name}،\n\nشكرًا لرسالتك. لا يمكننا تقديم أي معلومات عن التحقيقات أو الأشخاص أو السجلات الشرطية، "
              "ولا تأكيد وجود قضية أو نشرة من عدمه، حمايةً للأشخاص المعنيين ولعمل الشرطة. لمعرفة مستجدات قضية تخصك، يُرجى "
              "التواصل مع جهاز الشرطة أو السلطة المختصة بها في بلدك. وإذا كنت طرفًا في إجراءات قضائية، يمكن لمحاميك مراسلة "
              "السلطات المختصة عبر القنوات الرسمية.\n\nالرقم المرجعي: {reference}\n{agent_name}",
        "pt": "Olá {contact_name},\n\nObrigado pela sua mensagem. Não podemos partilhar informações sobre investigações, "
              "pessoas ou registos policiais, nem confirmar se existe um processo ou uma difusão: assim protegemos as "
              "pessoas envolvidas e o trabalho da polícia. Para saber novidades de um processo que lhe diga respeito, "
              "contacte a polícia ou a autoridade responsável no seu país. Se for parte num processo, o seu advogado pode "
              "dirigir-se às autoridades competentes pelas vias oficiais.\n\nReferência: {reference}\n{agent_name}",
        "ru": "Здравствуйте, {contact_name}!\n\nСпасибо за ваше сообщение. Мы не можем предоставлять сведения о "
              "расследованиях, конкретных лицах или полицейских базах данных, а также подтверждать наличие дела или "
              "уведомления: так мы защищаем причастных людей и работу полиции. Чтобы узнать о ходе дела, которое вас "
              "касается, обратитесь в полицию или орган, который его ведёт, в вашей стране. Если вы являетесь участником "
              "разбирательства, ваш адвокат может направить запрос в компетентные органы по официальным каналам.\n\n"
              "Номер обращения: {reference}\n{agent_name}",
        "zh": "{contact_name}，您好：\n\n感谢您的来信。我们无法提供任何有关调查、个人或警方记录的信息，也无法确认某一案件或"
              "通报是否存在，这是为了保护相关人员和警方的工作。如需了解与您有关的案件进展，请联系您所在国家负责该案件的"
              "警察机关或主管部门。如果您是诉讼当事人，您的律师可以通过官方渠道向主管机关查询。\n\n查询编号：{reference}\n"
              "{agent_name}",
    }),
)


def seed_canned_replies(author: User | None) -> int:
    """Save the demo's canned replies (the caller commits); returns how many were made."""
    for shortcut, title, topic, variants in REPLIES:
        services.create_reply(title=title, shortcut=shortcut, topic=topic, variants=variants, actor=author)
    return len(REPLIES)
