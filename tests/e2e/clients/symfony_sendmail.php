<?php
// Symfony Mailer's SendmailTransport with its default mode, `-bs` (SMTP over the
// child's stdin/stdout), as an application would use it: several messages through one
// transport, one with a Bcc, one with an attachment, one to a refused recipient, and
// one more after the refusal. Debian's php-symfony-mailer.
//
// Arguments: SENDMAIL TAG FROM TO BCC REFUSED ATTACHMENT
require '/usr/share/php/Symfony/Component/Mailer/autoload.php';
require '/usr/share/php/Symfony/Component/Mime/autoload.php';

use Symfony\Component\Mailer\Transport\SendmailTransport;
use Symfony\Component\Mime\Email;

[, $sendmail, $tag, $from, $to, $bcc, $refused, $attachment] = $argv;
// The default command is '/usr/sbin/sendmail -bs': the same flags, another path.
$transport = new SendmailTransport($sendmail . ' -bs');

function mail_to(string $from, string $to, string $subject, string $text): Email
{
    return (new Email())->from($from)->to($to)->subject($subject)->text($text);
}

$first = mail_to($from, $to, "$tag one", "first\n.a line with a leading dot\n");
$sent = $transport->send($first);
echo "sent one ", $sent->getMessageId(), "\n";

$second = mail_to($from, $to, "$tag two", "second, with a Bcc\n")->bcc($bcc);
$transport->send($second);
echo "sent two\n";

$third = mail_to($from, $to, "$tag three", "third, with an attachment\n")
    ->attachFromPath($attachment, 'data.bin', 'application/octet-stream');
$transport->send($third);
echo "sent three\n";

try {
    $transport->send(mail_to($from, $refused, "$tag refused", "nobody reads this\n"));
    echo "NOT REFUSED\n";
} catch (\Exception $e) {
    echo "refused: ", str_replace(["\r", "\n"], ' ', $e->getMessage()), "\n";
}

$transport->send(mail_to($from, $to, "$tag after", "after the refusal\n"));
echo "sent after\n";
